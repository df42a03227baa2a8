import { sql } from 'drizzle-orm';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWebServer, type RunningWebServer } from '../../../web/server.mjs';
import { eventually } from '../support/eventually.js';
import { DEFAULT_PASSWORD, makeConversation, makeTenant, makeUser } from '../support/factories.js';
import { inbound, textFrom } from '../support/inbox.js';
import { listen } from '../support/sockets.js';
import { http, startTestApp, type TestContext } from '../support/test-app.js';
import { launchChromium } from '../support/widget-browser.js';
import { assertWebBuilt, SCREENSHOTS, screenshotPath } from './web-browser.js';

/**
 * The settings pages in a real browser, served by apps/web/server.mjs in front of a real API: an admin creates
 * an API key whose raw value is shown once and works against the API, revokes it, and connects an api channel
 * through the form built from its shared schema; an agent is kept out.
 */
describe('web app settings in Chromium', () => {
  let ctx: TestContext;
  let apiUrl: string;
  let web: RunningWebServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let admin: Awaited<ReturnType<typeof makeUser>>;
  let agent: Awaited<ReturnType<typeof makeUser>>;
  let tenantId = '';
  let rawKey = '';

  const logIn = async (p: Page, email: string) => {
    await p.goto(`${web.url}/login`);
    await p.getByLabel('Email').fill(email);
    await p.getByLabel('Password').fill(DEFAULT_PASSWORD);
    await p.getByRole('button', { name: 'Log in' }).click();
    await p.waitForURL(`${web.url}/inbox`);
  };
  const keySelf = (key: string) => fetch(`${apiUrl}/api/v1/api-keys/self`, { headers: { 'x-api-key': key } });
  // The API's TypeScript has no DOM library, so the page's clipboard is read through a string expression.
  const clipboard = () => page.evaluate('navigator.clipboard.readText()');

  beforeAll(async () => {
    await assertWebBuilt();
    // Private networks stay refused, so a loopback callback URL is a server-side validation error.
    ctx = await startTestApp();
    apiUrl = await listen(ctx.app);
    const tenant = await makeTenant(ctx.database, { name: 'Acme Support' });
    tenantId = tenant.id;
    admin = await makeUser(ctx.database, tenant.id, { role: 'ADMIN', name: 'Ava Admin' });
    agent = await makeUser(ctx.database, tenant.id, { role: 'AGENT', name: 'Ben Agent' });
    web = await startWebServer({ port: 0, host: '127.0.0.1', apiUrl });
    browser = await launchChromium();
    context = await browser.newContext({
      viewport: { width: 1280, height: 800 },
      colorScheme: 'light',
      permissions: ['clipboard-read', 'clipboard-write'],
    });
    page = await context.newPage();
    // A step that cannot happen fails with its locator, well inside the test's own timeout.
    page.setDefaultTimeout(10_000);
  });
  afterAll(async () => {
    await browser?.close();
    await web?.close();
    await ctx?.close();
  });

  it('keeps an agent out of settings with a plain notice', async () => {
    const agentContext = await browser.newContext();
    try {
      const agentPage = await agentContext.newPage();
      await logIn(agentPage, agent.email);
      await agentPage.goto(`${web.url}/settings/api-keys`);
      await agentPage.getByText('Only admins can change settings').waitFor();
      expect(await agentPage.getByRole('button', { name: 'New API key' }).count()).toBe(0);
    } finally {
      await agentContext.close();
    }
  });

  it('opens Settings on the channels page with its empty state', async () => {
    await logIn(page, admin.email);
    await page.getByRole('link', { name: 'Settings' }).click();
    await page.waitForURL(`${web.url}/settings/channels`);
    await page.getByText('No channels yet').waitFor();
  });

  it('creates an API key with two scopes and shows the raw key once, with a working copy button', async () => {
    await page.getByRole('navigation', { name: 'Settings' }).getByRole('link', { name: 'API keys' }).click();
    await page.waitForURL(`${web.url}/settings/api-keys`);
    await page.getByText('No API keys yet').waitFor();
    await page.getByRole('button', { name: 'New API key' }).click();
    await page.getByLabel('Name').fill('CRM sync');
    await page.getByRole('button', { name: 'Create key' }).click();
    await page.getByText('Choose at least one scope').waitFor();

    await page.getByLabel('contacts:read').check();
    await page.getByLabel('messages:send').check();
    await page.getByRole('button', { name: 'Create key' }).click();
    const shown = page.getByTestId('raw-api-key');
    await shown.waitFor();
    rawKey = (await shown.textContent()) ?? '';
    expect(rawKey).toMatch(/^wcrm_/);
    expect(await page.getByRole('alert').first().textContent()).toContain('shown only this once');

    await page.getByRole('alert').getByRole('button', { name: 'Copy' }).click();
    await page.getByRole('button', { name: 'Copied', exact: true }).waitFor();
    expect(await clipboard()).toBe(rawKey);

    const row = page.getByTestId('api-key-row').filter({ hasText: 'CRM sync' });
    await row.waitFor();
    expect(await row.textContent()).toContain('Active');
    const stored = await ctx.database.unsafe.execute<{ scopes: string[] }>(
      sql`select scopes from api_keys where name = 'CRM sync'`,
    );
    expect(stored.rows).toHaveLength(1);
    expect([...stored.rows[0]!.scopes].sort()).toEqual(['contacts:read', 'messages:send']);
  });

  it('the shown key works against the API, and is gone for good once dismissed', async () => {
    const res = await keySelf(rawKey);
    expect(res.status).toBe(200);
    const self = (await res.json()) as { name: string; scopes: string[] };
    expect(self.name).toBe('CRM sync');
    expect([...self.scopes].sort()).toEqual(['contacts:read', 'messages:send']);

    await page.getByRole('button', { name: 'I have copied it' }).click();
    await page.getByTestId('raw-api-key').waitFor({ state: 'detached' });
    await page.reload();
    await page.getByTestId('api-key-row').filter({ hasText: 'CRM sync' }).waitFor();
    expect(await page.content()).not.toContain(rawKey);
  });

  it('revokes the key after a confirmation, and the API refuses it from then on', async () => {
    const row = page.getByTestId('api-key-row').filter({ hasText: 'CRM sync' });
    await row.getByRole('button', { name: 'Revoke' }).click();
    // Nothing happens before the confirmation.
    expect((await keySelf(rawKey)).status).toBe(200);
    await row.getByRole('button', { name: 'Revoke key' }).click();
    await expect.poll(() => row.textContent()).toContain('Revoked');
    expect((await keySelf(rawKey)).status).toBe(401);
  });

  it('connects an api channel through the form, with server errors by the field, its webhook URL and a passing test', async () => {
    await page.getByRole('navigation', { name: 'Settings' }).getByRole('link', { name: 'Channels' }).click();
    await page.getByRole('button', { name: 'Connect a channel' }).click();
    expect(await page.getByLabel('Channel type').inputValue()).toBe('api');
    await page.getByLabel('Inbox name').fill('Shop backend');

    // The shared schema, in the browser: not a URL.
    await page.getByLabel('Callback URL').fill('not a url');
    await page.getByRole('button', { name: 'Connect', exact: true }).click();
    await expect
      .poll(() => page.getByTestId('channel-config-callbackUrl-error').textContent())
      .toBe('must be an http(s) URL');

    // The server's SSRF guard: only it knows loopback is refused, and says so by the field.
    await page.getByLabel('Callback URL').fill('http://127.0.0.1:9/hook');
    await page.getByRole('button', { name: 'Connect', exact: true }).click();
    await expect
      .poll(() => page.getByTestId('channel-config-callbackUrl-error').textContent())
      .toMatch(/^is not allowed/);
    const none = await ctx.database.unsafe.execute(sql`select id from channels`);
    expect(none.rows).toHaveLength(0);

    await page.getByLabel('Callback URL').fill('https://hooks.shop.test/orbitdesk');
    await page.getByRole('button', { name: 'Connect', exact: true }).click();
    await page.waitForURL(/\/settings\/channels\/[0-9a-f-]{36}$/);
    const channelId = page.url().split('/').at(-1)!;

    const webhookUrl = await page.getByTestId('webhook-url').textContent();
    expect(webhookUrl).toBe(`${ctx.config.PUBLIC_URL}/api/v1/channels/api/${channelId}/messages`);
    const secret = (await page.getByTestId('inbound-secret').textContent()) ?? '';
    expect(secret.length).toBeGreaterThanOrEqual(32);

    await page.getByRole('button', { name: 'Test the connection' }).click();
    const result = page.getByTestId('channel-test-result');
    await result.waitFor();
    expect(await result.getAttribute('data-ok')).toBe('true');
    expect(await result.textContent()).toContain(
      'Ready: replies are POSTed to https://hooks.shop.test/orbitdesk',
    );
    if (SCREENSHOTS) await page.screenshot({ path: screenshotPath('settings-channel-light') });

    const rows = await ctx.database.unsafe.execute<{ name: string; type: string; callback: string }>(
      sql`select name, type, config->>'callbackUrl' as callback from channels where id = ${channelId}`,
    );
    expect(rows.rows).toEqual([
      { name: 'Shop backend', type: 'api', callback: 'https://hooks.shop.test/orbitdesk' },
    ]);

    // The secret shown once is the one the inbox accepts.
    expect((await inbound(ctx.app, channelId, 'not-the-secret', textFrom('c-1', 'hi'))).status).toBe(401);
    const accepted = await inbound(
      ctx.app,
      channelId,
      secret,
      textFrom('c-1', 'Hello from the shop', 'ext-1'),
    );
    expect(accepted.status).toBe(200);
  });

  it('edits the channel: a new callback URL is saved, the inbox can be disabled, and it is deleted after a confirmation', async () => {
    await page.getByRole('button', { name: 'Edit settings' }).click();
    expect(await page.getByLabel('Callback URL').inputValue()).toBe('https://hooks.shop.test/orbitdesk');
    await page.getByLabel('Callback URL').fill('https://hooks.shop.test/v2');
    await page.getByLabel('Active (receives and sends messages)').uncheck();
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('button', { name: 'Edit settings' }).waitFor();
    const channelId = page.url().split('/').at(-1)!;
    const rows = await ctx.database.unsafe.execute<{ callback: string; is_active: boolean }>(
      sql`select config->>'callbackUrl' as callback, is_active from channels where id = ${channelId}`,
    );
    expect(rows.rows).toEqual([{ callback: 'https://hooks.shop.test/v2', is_active: false }]);
    await page.getByText('Disabled').first().waitFor();

    await page.getByRole('button', { name: 'Delete inbox' }).click();
    await page.getByRole('button', { name: 'Delete inbox' }).click();
    await page.waitForURL(`${web.url}/settings/channels`);
    await page.getByText('No channels yet').waitFor();
    const left = await ctx.database.unsafe.execute(sql`select id from channels where id = ${channelId}`);
    expect(left.rows).toHaveLength(0);
  });

  it('invites a user with a one-time link, changes their role and deactivates them', async () => {
    await page
      .getByRole('navigation', { name: 'Settings' })
      .getByRole('link', { name: 'Users and roles' })
      .click();
    await page.getByTestId('user-row').filter({ hasText: 'Ava Admin' }).waitFor();
    // No one changes their own role from here.
    expect(await page.getByLabel('Role of Ava Admin').isDisabled()).toBe(true);

    await page.getByRole('button', { name: 'Invite a user' }).click();
    await page.getByLabel('Name').fill('Cleo Manager');
    await page.getByLabel('Email').fill(admin.email);
    await page.getByRole('button', { name: 'Invite', exact: true }).click();
    await expect.poll(() => page.getByTestId('form-error').textContent()).toContain('already exists');

    await page.getByLabel('Email').fill('cleo@acme.test');
    await page.getByRole('button', { name: 'Invite', exact: true }).click();
    const link = (await page.getByRole('alert').locator('code').textContent()) ?? '';
    expect(link).toMatch(/\/accept-invite\?token=/);
    // The invited user follows the link (WEB_URL's origin swapped for this test's web server), sets a password
    // and logs in with it.
    const invited = await browser.newContext();
    try {
      const invitee = await invited.newPage();
      invitee.setDefaultTimeout(10_000);
      await invitee.goto(`${web.url}/accept-invite${new URL(link).search}`);
      await invitee.getByLabel('Choose a password').fill('Cleo-new-password-1');
      await invitee.getByRole('button', { name: 'Set password' }).click();
      await invitee.getByTestId('invite-accepted').waitFor();
      const login = await http(ctx.app, 'POST', '/api/v1/auth/login', {
        body: { email: 'cleo@acme.test', password: 'Cleo-new-password-1' },
      });
      expect(login.status).toBe(200);
      // A link works once.
      await invitee.goto(`${web.url}/accept-invite${new URL(link).search}`);
      await invitee.getByLabel('Choose a password').fill('Cleo-other-password-2');
      await invitee.getByRole('button', { name: 'Set password' }).click();
      await invitee.getByTestId('form-error').waitFor();
    } finally {
      await invited.close();
    }
    const row = page.getByTestId('user-row').filter({ hasText: 'Cleo Manager' });
    await expect.poll(() => row.textContent()).toContain('Invited');

    await row.getByLabel('Role of Cleo Manager').selectOption('MANAGER');
    await eventually(async () => {
      const rows = await ctx.database.unsafe.execute<{ role: string; is_active: boolean }>(
        sql`select role, is_active from users where email = 'cleo@acme.test'`,
      );
      expect(rows.rows).toEqual([{ role: 'MANAGER', is_active: true }]);
    });

    await row.getByRole('button', { name: 'Deactivate' }).click();
    await row.getByRole('group').getByRole('button', { name: 'Deactivate' }).click();
    await expect.poll(() => row.textContent()).toContain('Deactivated');
    const after = await ctx.database.unsafe.execute<{ is_active: boolean }>(
      sql`select is_active from users where email = 'cleo@acme.test'`,
    );
    expect(after.rows[0]!.is_active).toBe(false);
  });

  it('adds an outgoing webhook endpoint with its signing secret shown once, disables it, and opens its empty log', async () => {
    await page
      .getByRole('navigation', { name: 'Settings' })
      .getByRole('link', { name: 'Outgoing webhooks' })
      .click();
    await page.getByText('No endpoints yet').waitFor();
    await page.getByRole('button', { name: 'New endpoint' }).click();
    await page.getByLabel('URL').fill('https://hooks.shop.test/events');
    await page.getByRole('button', { name: 'Create endpoint' }).click();
    await page.getByText('Choose at least one event').waitFor();
    await page.getByLabel('message.created').check();
    await page.getByRole('button', { name: 'Create endpoint' }).click();
    const secret = (await page.getByTestId('signing-secret').textContent()) ?? '';
    expect(secret).toMatch(/^whsec_/);

    const card = page.getByTestId('endpoint-row').filter({ hasText: 'https://hooks.shop.test/events' });
    await expect.poll(() => card.textContent()).toContain(`secret whsec_********${secret.slice(-4)}`);
    await card.getByRole('button', { name: 'Disable' }).click();
    await expect.poll(() => card.textContent()).toContain('Disabled');
    const rows = await ctx.database.unsafe.execute<{ is_active: boolean; events: string[] }>(
      sql`select is_active, events from webhook_endpoints where url = 'https://hooks.shop.test/events'`,
    );
    expect(rows.rows).toEqual([{ is_active: false, events: ['message.created'] }]);

    await card.getByRole('button', { name: 'Delivery log' }).click();
    await card.getByText('No deliveries yet').waitFor();
  });
  it('creates a team with members, renames it, gives a conversation that team and a priority, then deletes it', async () => {
    await page.getByRole('navigation', { name: 'Settings' }).getByRole('link', { name: 'Teams' }).click();
    await page.getByText('No teams yet').waitFor();
    await page.getByLabel('New team name').fill('Billing');
    await page.getByRole('button', { name: 'Create team' }).click();
    // The workspace's only team (its name moves into a text box while it is renamed).
    const row = page.getByTestId('team-row');
    await row.filter({ hasText: 'Billing' }).waitFor();
    // The same name again is refused with the API's reason.
    await page.getByLabel('New team name').fill('Billing');
    await page.getByRole('button', { name: 'Create team' }).click();
    await page.getByRole('form', { name: 'Create a team' }).getByRole('alert').waitFor();

    await row.getByRole('button', { name: 'Members' }).click();
    await row.getByRole('checkbox', { name: 'Ben Agent' }).check();
    await row.getByRole('button', { name: 'Save members' }).click();
    await expect.poll(() => row.getByTestId('team-members').textContent()).toBe('Ben Agent');
    await row.getByRole('button', { name: 'Rename' }).click();
    await row.getByLabel('Team name').fill('Billing and refunds');
    await row.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => row.getByTestId('team-name').textContent()).toBe('Billing and refunds');
    const [team] = (
      await ctx.database.unsafe.execute<{ id: string; name: string; members: string[] }>(
        sql`select t.id, t.name, array_agg(m.user_id) as members from teams t join team_members m on m.team_id = t.id
            where t.tenant_id = ${tenantId} group by t.id`,
      )
    ).rows;
    expect(team).toMatchObject({ name: 'Billing and refunds', members: [agent.id] });

    // In the inbox: the conversation's team and priority, saved and shown on its row.
    const conversation = await makeConversation(ctx.database, tenantId, { contactName: 'Tess Team' });
    await page.goto(`${web.url}/inbox/${conversation.id}`);
    await page.getByLabel('Team', { exact: true }).selectOption({ label: 'Billing and refunds' });
    await page.getByLabel('Priority', { exact: true }).selectOption('urgent');
    await eventually(async () => {
      const rows = await ctx.database.unsafe.execute<{ team_id: string; priority: string }>(
        sql`select team_id, priority from conversations where id = ${conversation.id}`,
      );
      expect(rows.rows).toEqual([{ team_id: team!.id, priority: 'urgent' }]);
    });
    await expect
      .poll(() =>
        page
          .getByTestId('conversation-row')
          .filter({ hasText: 'Tess Team' })
          .getByTestId('priority-badge')
          .textContent(),
      )
      .toBe('urgent');

    // The list filtered by that team, then by another priority: the row is there, then it is not.
    await makeConversation(ctx.database, tenantId, { contactName: 'Otto Other' });
    await page.locator('select[aria-label="Status"]').selectOption('all');
    await page.getByTestId('conversation-row').filter({ hasText: 'Otto Other' }).waitFor();
    await page.getByLabel('Team filter').selectOption({ label: 'Billing and refunds' });
    await expect
      .poll(async () => (await page.getByTestId('conversation-row').allTextContents()).join('|'))
      .toMatch(/^[^|]*Tess Team[^|]*$/);
    expect(page.url()).toContain(`team=${team!.id}`);
    await page.getByLabel('Priority filter').selectOption('low');
    await page.getByText('Nothing matches these filters.').waitFor();

    // Deleted after a confirmation: the conversation keeps its priority and loses the team.
    await page.goto(`${web.url}/settings/teams`);
    await row.getByRole('button', { name: 'Delete' }).click();
    await row.getByRole('button', { name: 'Delete team' }).click();
    await page.getByText('No teams yet').waitFor();
    const after = await ctx.database.unsafe.execute<{ team_id: string | null; priority: string }>(
      sql`select team_id, priority from conversations where id = ${conversation.id}`,
    );
    expect(after.rows).toEqual([{ team_id: null, priority: 'urgent' }]);
  });
});
