import { readFile } from 'node:fs/promises';
import { sql } from 'drizzle-orm';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWebServer, type RunningWebServer } from '../../../web/server.mjs';
import { startWorker, type RunningWorker } from '../../src/worker.js';
import { DEFAULT_PASSWORD, login, makeTenant, makeUser } from '../support/factories.js';
import { listen } from '../support/sockets.js';
import { http, startTestApp, type TestContext } from '../support/test-app.js';
import { launchChromium } from '../support/widget-browser.js';
import { assertWebBuilt, SCREENSHOTS, screenshotPath } from './web-browser.js';

/**
 * Contacts in Chromium against a real API and worker: search and tag filter, the form with the server's field
 * errors, CSV import with its progress and row errors, export, merge; and the dashboard counting them.
 */
describe('web app contacts in Chromium', () => {
  let ctx: TestContext;
  let worker: RunningWorker;
  let web: RunningWebServer;
  let browser: Browser;
  let page: Page;
  let tenantId = '';

  const contactRows = () => page.getByTestId('contact-row');
  const contactsInDb = async () =>
    (
      await ctx.database.unsafe.execute<{ name: string | null; phone: string | null; tags: string[] }>(
        sql`select name, phone, tags from contacts where tenant_id = ${tenantId} order by name`,
      )
    ).rows;

  beforeAll(async () => {
    await assertWebBuilt();
    ctx = await startTestApp();
    const apiUrl = await listen(ctx.app);
    worker = await startWorker(ctx.config);
    const tenant = await makeTenant(ctx.database, { name: 'Contoso' });
    tenantId = tenant.id;
    const admin = await makeUser(ctx.database, tenant.id, { role: 'ADMIN' });
    const { token } = await login(ctx.app, admin.email);
    for (const body of [
      { name: 'Ada Lovelace', email: 'ada@example.test', tags: ['vip'], customFields: { plan: 'gold' } },
      { name: 'Bob Builder', phone: '+14155550100', tags: ['lead'] },
    ]) {
      const res = await http(ctx.app, 'POST', '/api/v1/contacts', { token, body });
      expect(res.status).toBe(201);
    }

    web = await startWebServer({ port: 0, host: '127.0.0.1', apiUrl });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 800 }, colorScheme: 'light' });
    await page.goto(`${web.url}/contacts`);
    await page.waitForURL(`${web.url}/login`);
    await page.getByLabel('Email').fill(admin.email);
    await page.getByLabel('Password').fill(DEFAULT_PASSWORD);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL(`${web.url}/contacts`);
  });
  afterAll(async () => {
    await browser?.close();
    await web?.close();
    await worker?.close();
    await ctx?.close();
  });

  it('lists contacts with a column per custom field, and finds one by search and by tag', async () => {
    await expect.poll(() => contactRows().count()).toBe(2);
    expect(await page.getByTestId('contacts-table').locator('th').allTextContents()).toContain('plan');
    expect(await contactRows().filter({ hasText: 'Ada Lovelace' }).textContent()).toContain('gold');

    await page.getByLabel('Search contacts').fill('lovel');
    await page.waitForURL(`${web.url}/contacts?q=lovel`);
    await expect
      .poll(() => contactRows().allTextContents())
      .toEqual([expect.stringContaining('Ada Lovelace')]);

    await page.getByLabel('Search contacts').fill('nobody-matches');
    await page.getByText('No contacts').waitFor();

    await page.getByLabel('Search contacts').fill('');
    await page.getByLabel('Filter by tags').fill('lead');
    await page.waitForURL(`${web.url}/contacts?tags=lead`);
    await expect
      .poll(() => contactRows().allTextContents())
      .toEqual([expect.stringContaining('Bob Builder')]);
    await page.getByLabel('Filter by tags').fill('');
    await expect.poll(() => contactRows().count()).toBe(2);
  });

  it("shows the server's phone error by the field, then creates the contact", async () => {
    await page.getByRole('link', { name: 'New contact' }).click();
    await page.waitForURL(`${web.url}/contacts/new`);
    await page.getByRole('button', { name: 'Create contact' }).click();
    // Checked in the browser by the shared contract: a contact needs something to know it by.
    await expect.poll(() => page.getByTestId('form-error').textContent()).toContain('at least one of phone');

    await page.getByLabel('Name').fill('Cleo Customer');
    await page.getByLabel('Phone').fill('12');
    await page.getByLabel('Tags (comma separated)').fill('vip, trial');
    await page.getByRole('button', { name: 'Add a field' }).click();
    await page.getByLabel('Custom field 1 name').fill('plan');
    await page.getByLabel('Custom field 1 value').fill('silver');
    await page.getByRole('button', { name: 'Create contact' }).click();
    await expect
      .poll(() => page.getByTestId('phone-error').textContent())
      .toContain('is not a valid phone number');
    expect(page.url()).toBe(`${web.url}/contacts/new`);

    await page.getByLabel('Phone').fill('+14155550123');
    await page.getByRole('button', { name: 'Create contact' }).click();
    await page.waitForURL(`${web.url}/contacts`);
    await contactRows().filter({ hasText: 'Cleo Customer' }).waitFor();
    expect(await contactsInDb()).toContainEqual({
      name: 'Cleo Customer',
      phone: '+14155550123',
      tags: ['vip', 'trial'],
    });
  });

  it('imports a CSV, polling its progress to the end, and reports the rows it could not import', async () => {
    const polls: string[] = [];
    page.on('request', (r) => {
      if (r.url().includes('/api/v1/contacts/imports/')) polls.push(r.url());
    });
    await page.getByRole('link', { name: 'Import CSV' }).click();
    const csv = [
      'phone,name,email,tags,plan',
      '+14155550201,Dana Import,dana@example.test,vip;imported,bronze',
      'not-a-phone,Eve Broken,,,',
      ',Nobody,,,',
      '+14155550100,Bob Builder,,imported,',
    ].join('\n');
    await page
      .getByLabel('CSV file')
      .setInputFiles({ name: 'contacts.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    // Records every state the progress panel shows, however briefly: "running" must come before the end.
    // (A string: this file is typed for Node, the script runs in the page.)
    await page.evaluate(`(() => {
      const seen = (window.importStates = []);
      new MutationObserver(() => {
        const el = document.querySelector('[data-testid="import-progress"]');
        const bar = document.querySelector('[role="progressbar"]');
        const state = el?.getAttribute('data-status') + ':' + bar?.getAttribute('aria-valuenow');
        if (el && seen.at(-1) !== state) seen.push(state);
      }).observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
    })()`);
    await page.getByRole('button', { name: 'Start import' }).click();

    const progress = page.getByTestId('import-progress');
    await progress.waitFor();
    await expect.poll(() => progress.getAttribute('data-status'), { timeout: 15_000 }).toBe('completed');
    expect(await page.getByRole('progressbar').getAttribute('aria-valuenow')).toBe('100');
    expect(await page.getByTestId('import-processed').textContent()).toBe('4 of 4 rows');
    expect(await page.getByTestId('import-created').textContent()).toBe('1');
    expect(await page.getByTestId('import-updated').textContent()).toBe('1');
    expect(await page.getByTestId('import-failed').textContent()).toBe('2');
    const errors = await page.getByTestId('import-errors').locator('tbody tr').allTextContents();
    expect(errors).toHaveLength(2);
    expect(errors[0]).toMatch(/^3phone: "not-a-phone" is not a valid phone number/);
    expect(errors[1]).toMatch(/^4phone or email is required/);
    expect(polls.length).toBeGreaterThan(0);
    const states = await page.evaluate<string[]>('window.importStates');
    expect(states[0]).toBe('running:0');
    expect(states.at(-1)).toBe('completed:100');
    if (SCREENSHOTS) await page.screenshot({ path: screenshotPath('contacts-import-light') });

    const stored = await contactsInDb();
    expect(stored).toContainEqual({ name: 'Dana Import', phone: '+14155550201', tags: ['vip', 'imported'] });
    expect(stored.find((c) => c.name === 'Bob Builder')?.tags).toEqual(
      expect.arrayContaining(['lead', 'imported']),
    );
    expect(stored.map((c) => c.name)).not.toContain('Eve Broken');
  });

  it('exports the filtered contacts as a CSV download', async () => {
    await page.goto(`${web.url}/contacts?tags=vip`);
    await expect.poll(() => contactRows().count()).toBe(3);
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Export CSV' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe('contacts.csv');
    const text = await readFile(await download.path(), 'utf8');
    const lines = text.trim().split(/\r?\n/);
    expect(lines[0]).toMatch(/^phone,name,email,tags,opted_in/);
    expect(lines).toHaveLength(4);
    expect(text).toContain('Dana Import');
    expect(text).not.toContain('Bob Builder');
  });

  it('merges two selected contacts into the chosen survivor', async () => {
    await page.goto(`${web.url}/contacts`);
    await page.getByLabel('Select Ada Lovelace').check();
    await page.getByLabel('Select Dana Import').check();
    await page.getByRole('button', { name: 'Merge selected' }).click();
    await page.getByText('Keep Dana Import').click();
    await page.getByRole('button', { name: 'Merge contacts' }).click();
    await page.waitForURL(/\/contacts\/[0-9a-f-]{36}$/);
    expect(await page.getByRole('textbox', { name: 'Name', exact: true }).inputValue()).toBe('Dana Import');

    const stored = await contactsInDb();
    expect(stored.map((c) => c.name)).not.toContain('Ada Lovelace');
    const rows = await ctx.database.unsafe.execute<{ email: string; custom_fields: Record<string, unknown> }>(
      sql`select email, custom_fields from contacts where tenant_id = ${tenantId} and name = 'Dana Import'`,
    );
    // The survivor keeps its own values where both had one.
    expect(rows.rows).toEqual([{ email: 'dana@example.test', custom_fields: { plan: 'bronze' } }]);
  });

  it('counts the contacts on the dashboard and redraws the chart in the dark theme', async () => {
    await page.getByRole('link', { name: 'Dashboard' }).click();
    // Bob, Cleo and Dana: Ada was merged into Dana.
    await expect.poll(() => page.getByTestId('kpi-contacts-value').textContent()).toBe('3');
    const chart = page.getByTestId('volume-chart');
    await chart.locator('svg').first().waitFor();
    expect(await chart.getAttribute('data-theme')).toBe('light');
    await page.getByTestId('theme-toggle').click();
    await expect.poll(() => chart.getAttribute('data-theme')).toBe('dark');
    await chart.locator('svg').first().waitFor();
    await page.getByTestId('theme-toggle').click();
    // Logging out closes the app's socket cleanly; a socket cut by closing the browser keeps the API from closing.
    await page.getByTestId('logout').click();
    await page.waitForURL(`${web.url}/login`);
  });
});
