import { access } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';

/** The built widget the API serves by default (WIDGET_DIST_DIR=../widget/dist). */
export const WIDGET_BUNDLE = fileURLToPath(new URL('../../../widget/dist/widget.js', import.meta.url));

/** Fails with what to run when the widget has not been built (turbo builds it before the API's tests). */
export async function assertWidgetBuilt(): Promise<void> {
  try {
    await access(WIDGET_BUNDLE);
  } catch {
    throw new Error(
      `${WIDGET_BUNDLE} is missing: build the widget first (pnpm --filter @orbitdesk/widget build, or turbo run test)`,
    );
  }
}

/** A port nothing listens on right now, so PUBLIC_URL can name it before the app starts. */
export async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

/** A loopback web server for the host site: answers every GET with `page()`. */
export async function startHostSite(page: () => string) {
  const server: Server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(page());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Headless Chromium from the system (/usr/bin/chromium), with nothing of its own talking to the network. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** The page's globals this file reads (the API's TypeScript has no DOM library). */
interface PageGlobals {
  getComputedStyle(el: unknown): Record<string, string>;
  localStorage: { getItem(key: string): string | null };
}

/** A computed CSS property of the element, as the browser resolved it. */
export const cssOf = (locator: Locator, property: string): Promise<string> =>
  locator.evaluate((el, p) => (globalThis as unknown as PageGlobals).getComputedStyle(el)[p] ?? '', property);

/** A value of the page's localStorage. */
export const storedItem = (page: Page, key: string): Promise<string | null> =>
  page.evaluate((k) => (globalThis as unknown as PageGlobals).localStorage.getItem(k), key);
