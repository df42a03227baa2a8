import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { DEFAULT_DIST_DIR } from '../../../web/server.mjs';

/** Fails with what to run when the web app has not been built (turbo builds it before the API's tests). */
export async function assertWebBuilt(): Promise<void> {
  const index = join(DEFAULT_DIST_DIR, 'index.html');
  try {
    await access(index);
  } catch {
    throw new Error(
      `${index} is missing: build the web app first (pnpm --filter @orbitdesk/web build, or turbo run test)`,
    );
  }
}

/**
 * Screenshots for docs/screenshots are written only when WEB_SCREENSHOTS=1, so ordinary test runs leave the
 * working tree alone.
 */
export const SCREENSHOTS = process.env.WEB_SCREENSHOTS === '1';
export const screenshotPath = (name: string): string =>
  new URL(`../../../../docs/screenshots/${name}.png`, import.meta.url).pathname;
