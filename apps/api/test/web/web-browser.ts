import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { DEFAULT_DIST_DIR, startWebServer } from '../../../web/server.mjs';
import { startWorker } from '../../src/worker.js';
import { login, makeTenant, makeUser } from '../support/factories.js';
import { makeApiInbox, startCallbackServer } from '../support/inbox.js';
import { listen } from '../support/sockets.js';
import { startTestApp } from '../support/test-app.js';
import { launchChromium } from '../support/widget-browser.js';

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

/**
 * The whole stack the inbox and flow-builder specs drive: the API on a real port (loopback callbacks allowed), the
 * worker, the web server in front of it, Chromium, and a workspace "Acme Support" whose admin Ava owns an api
 * inbox wired to a callback receiver. `env` adds to (or overrides) the API's and worker's configuration, e.g.
 * AI_SERVICE_URL. `close()` stops everything in reverse order.
 */
export async function startWebStack(opts: { env?: Partial<Record<string, string>> } = {}) {
  await assertWebBuilt();
  // The callback receiver is on loopback, which the SSRF guard refuses unless told otherwise.
  const ctx = await startTestApp({ env: { OUTBOUND_ALLOW_PRIVATE_NETWORKS: 'true', ...opts.env } });
  const apiUrl = await listen(ctx.app);
  const worker = await startWorker(ctx.config);
  const tenant = await makeTenant(ctx.database, { name: 'Acme Support' });
  const admin = await makeUser(ctx.database, tenant.id, { role: 'ADMIN', name: 'Ava Admin' });
  const { token } = await login(ctx.app, admin.email);
  const callback = await startCallbackServer();
  const inbox = await makeApiInbox(ctx.app, token, { name: 'Website (API)', callbackUrl: callback.url });
  callback.state.secret = inbox.secret;
  const web = await startWebServer({ port: 0, host: '127.0.0.1', apiUrl });
  const browser = await launchChromium();
  return {
    ctx,
    worker,
    web,
    browser,
    callback,
    inbox,
    tenant,
    admin,
    token,
    async close() {
      await browser.close();
      await web.close();
      await callback.close();
      await worker.close();
      // The web server's proxy keeps connections to the API open (keep-alive, websockets); cut them, or the
      // API's close waits on them past the hook timeout.
      ctx.app.getHttpServer().closeAllConnections();
      await ctx.close();
    },
  };
}
export type WebStack = Awaited<ReturnType<typeof startWebStack>>;
