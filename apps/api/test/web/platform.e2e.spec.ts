import { sql } from 'drizzle-orm';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWebServer, type RunningWebServer } from '../../../web/server.mjs';
import { eventually } from '../support/eventually.js';
import { DEFAULT_PASSWORD, makeTenant, makeUser } from '../support/factories.js';
import { listen } from '../support/sockets.js';
import { startTestApp, type TestContext } from '../support/test-app.js';
import { launchChromium } from '../support/widget-browser.js';
import { assertWebBuilt, SCREENSHOTS, screenshotPath } from './web-browser.js';

/** The superadmin panel in Chromium: who may open it, approving and suspending workspaces, users across them. */
describe('web app platform panel in Chromium', () => {
  let ctx: TestContext;
  let web: RunningWebServer;
  let browser: Browser;
  let page: Page;
  let pending: Awaited<ReturnType<typeof makeTenant>>;
  let owner: Awaited<ReturnType<typeof makeUser>>;
  let active: Awaited<ReturnType<typeof makeTenant>>;
  let agent: Awaited<ReturnType<typeof makeUser>>;

  beforeAll(async () => {
    await assertWebBuilt();
    ctx = await startTestApp();
    const apiUrl = await listen(ctx.app);
    pending = await makeTenant(ctx.database, { name: 'Initech Pending', status: 'PENDING' });
    owner = await makeUser(ctx.database, pending.id, { role: 'ADMIN', name: 'Peter Owner' });
    active = await makeTenant(ctx.database, { name: 'Umbrella Active' });
    agent = await makeUser(ctx.database, active.id, { role: 'ADMIN', name: 'Alice Admin' });
    web = await startWebServer({ port: 0, host: '127.0.0.1', apiUrl });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 800 }, colorScheme: 'light' });
  });
  afterAll(async () => {
    await browser?.close();
    await web?.close();
    await ctx?.close();
  });

  const logIn = async (email: string, password: string) => {
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Log in' }).click();
  };
  const logOut = async () => {
    await page.getByTestId('logout').click();
    await page.waitForURL(`${web.url}/login`);
  };
  const tenantStatus = async (id: string) =>
    (
      await ctx.database.unsafe.execute<{ status: string; status_reason: string | null }>(
        sql`select status, status_reason from tenants where id = ${id}`,
      )
    ).rows[0];

  it('shows "not allowed" to a workspace admin, and the owner of a pending workspace cannot log in yet', async () => {
    await page.goto(`${web.url}/platform`);
    await page.waitForURL(`${web.url}/login`);
    await logIn(agent.email, DEFAULT_PASSWORD);
    await page.waitForURL(`${web.url}/platform`);
    await page.getByTestId('not-allowed').waitFor();
    expect(await page.getByTestId('tenants').count()).toBe(0);
    await logOut();

    await logIn(owner.email, DEFAULT_PASSWORD);
    await expect
      .poll(() => page.getByTestId('form-error').textContent())
      .toBe('Your workspace is waiting for approval by the OrbitDesk team');
  });

  it('signs the superadmin in through the ordinary login and lists the pending workspace', async () => {
    await page.goto(`${web.url}/platform`);
    await page.waitForURL(`${web.url}/login`);
    await logIn(ctx.config.SUPERADMIN_EMAIL!, ctx.config.SUPERADMIN_PASSWORD!);
    await page.waitForURL(`${web.url}/platform`);
    expect(await page.getByRole('banner').textContent()).toContain('Platform');

    await page.getByLabel('Status').selectOption('PENDING');
    await page.waitForURL(`${web.url}/platform?status=PENDING`);
    const rows = page.getByTestId('tenants-row');
    await expect.poll(() => rows.allTextContents()).toEqual([expect.stringContaining('Initech Pending')]);
    if (SCREENSHOTS) await page.screenshot({ path: screenshotPath('platform-light') });
  });

  it("approves the pending workspace, which leaves the filtered list, and the owner's users are listed", async () => {
    await page.getByRole('button', { name: 'Approve Initech Pending' }).click();
    await page.getByText('No workspaces').waitFor();
    expect(await tenantStatus(pending.id)).toEqual({ status: 'ACTIVE', status_reason: null });

    await page.getByLabel('Status').selectOption('');
    const row = page.getByTestId('tenants-row').filter({ hasText: 'Initech Pending' });
    await expect.poll(() => row.getByTestId('tenant-status').textContent()).toBe('ACTIVE');

    await row.getByRole('link', { name: 'View users' }).click();
    await page.waitForURL(`${web.url}/platform/users?tenantId=${pending.id}`);
    const users = page.getByTestId('platform-users-row');
    await expect.poll(() => users.allTextContents()).toEqual([expect.stringContaining(owner.email)]);
    expect(await users.first().textContent()).toContain('Initech Pending');
  });

  it('suspends an active workspace with a reason, and refuses a decision its status does not allow', async () => {
    await page.getByRole('link', { name: 'Workspaces' }).click();
    const row = page.getByTestId('tenants-row').filter({ hasText: 'Umbrella Active' });
    await row.getByRole('button', { name: 'Suspend Umbrella Active' }).click();
    await row.getByLabel('Reason to suspend Umbrella Active').fill('Unpaid invoices');
    await row.getByRole('button', { name: 'Suspend', exact: true }).click();
    await expect.poll(() => row.getByTestId('tenant-status').textContent()).toBe('SUSPENDED');
    expect(await row.textContent()).toContain('Unpaid invoices');
    expect(await tenantStatus(active.id)).toEqual({ status: 'SUSPENDED', status_reason: 'Unpaid invoices' });

    // Another admin reactivated it meanwhile: this page still offers "Reactivate", and the API's 409 shows.
    await ctx.database.unsafe.execute(sql`update tenants set status = 'ACTIVE' where id = ${active.id}`);
    await row.getByRole('button', { name: 'Reactivate Umbrella Active' }).click();
    await expect
      .poll(() => row.getByRole('alert').textContent())
      .toContain('Cannot reactivate a tenant that is ACTIVE');
  });

  it("lets the approved workspace's owner log in", async () => {
    await logOut();
    await logIn(owner.email, DEFAULT_PASSWORD);
    await page.waitForURL(`${web.url}/inbox`);
    await eventually(async () =>
      expect(await page.getByRole('banner').textContent()).toContain('Initech Pending'),
    );
    // Logging out closes the app's socket cleanly; a socket cut by closing the browser keeps the API from closing.
    await logOut();
  });
});
