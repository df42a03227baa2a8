import { sql } from 'drizzle-orm';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../support/eventually.js';
import { channels, messages } from '../../src/db/schema/index.js';
import { DEFAULT_PASSWORD, makeConversation, makeUser } from '../support/factories.js';
import { inbound, textFrom } from '../support/inbox.js';
import { SCREENSHOTS, screenshotPath, startWebStack, type WebStack } from './web-browser.js';

/**
 * The web app in a real browser, served by apps/web/server.mjs in front of a real API and worker: logging in,
 * a customer's message arriving live in the open inbox, and the agent's reply going out through the api
 * inbox's callback.
 */
describe('web app inbox in Chromium', () => {
  let stack: WebStack;
  let ctx: WebStack['ctx'];
  let web: WebStack['web'];
  let page: Page;
  let callback: WebStack['callback'];
  let inbox: WebStack['inbox'];
  let agent: WebStack['admin'];
  let conversationId = '';

  beforeAll(async () => {
    stack = await startWebStack();
    ({ ctx, web, callback, inbox, admin: agent } = stack);
    await makeUser(ctx.database, stack.tenant.id, { role: 'AGENT', name: 'Ben Agent' });
    page = await stack.browser.newPage({ viewport: { width: 1280, height: 800 }, colorScheme: 'light' });
  });
  afterAll(() => stack?.close());

  const shoot = async (name: string) => {
    if (SCREENSHOTS) await page.screenshot({ path: screenshotPath(name) });
  };
  const setTheme = async (theme: 'light' | 'dark') => {
    const dark = ((await page.locator('html').getAttribute('class')) ?? '').split(' ').includes('dark');
    if (dark !== (theme === 'dark')) await page.getByTestId('theme-toggle').click();
    // Let the colour transitions finish before a screenshot.
    await page.waitForTimeout(400);
  };

  it('sends a signed-out visitor to the login page, shows a wrong password, then opens the inbox', async () => {
    await page.goto(`${web.url}/inbox`);
    await page.waitForURL(`${web.url}/login`);
    await page.getByLabel('Email').fill(agent.email);
    await page.getByLabel('Password').fill('not-the-password');
    await shoot('login-light');
    await page.getByRole('button', { name: 'Log in' }).click();
    await expect.poll(() => page.getByTestId('form-error').textContent()).toBe('Invalid email or password');
    expect(page.url()).toBe(`${web.url}/login`);
    if (SCREENSHOTS) {
      await setTheme('dark');
      await shoot('login-dark');
      await setTheme('light');
    }

    await page.getByLabel('Password').fill(DEFAULT_PASSWORD);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL(`${web.url}/inbox`);
    await page.getByText('No conversations').waitFor();
    expect(await page.getByRole('banner').textContent()).toContain('Acme Support');
  });

  it('shows a message posted to the api inbox without a reload, with its unread count', async () => {
    const posted = await inbound(
      ctx.app,
      inbox.id,
      inbox.secret,
      textFrom('cust-42', 'Hi, my parcel has not arrived', 'ext-1', 'Dana Customer'),
    );
    expect(posted.status).toBe(200);
    const row = page.getByTestId('conversation-row').filter({ hasText: 'Hi, my parcel has not arrived' });
    await row.waitFor({ timeout: 10_000 });
    await expect.poll(() => row.textContent()).toContain('Dana Customer');
    expect(await row.getByTestId('unread-count').textContent()).toBe('1');
    conversationId = (await row.getAttribute('data-conversation-id'))!;
  });

  it('opens the conversation, marks it read, and shows the next message live', async () => {
    await page.getByTestId('conversation-row').first().click();
    await page.waitForURL(`${web.url}/inbox/${conversationId}`);
    await page.getByTestId('message').filter({ hasText: 'Hi, my parcel has not arrived' }).waitFor();
    await eventually(async () => {
      const rows = await ctx.database.unsafe.execute<{ unread_count: number }>(
        sql`select unread_count from conversations where id = ${conversationId}`,
      );
      expect(rows.rows[0]!.unread_count).toBe(0);
    });
    await page.getByTestId('unread-count').waitFor({ state: 'detached' });

    await inbound(ctx.app, inbox.id, inbox.secret, textFrom('cust-42', 'Order number is 1042', 'ext-2'));
    await page
      .getByTestId('message')
      .filter({ hasText: 'Order number is 1042' })
      .waitFor({ timeout: 10_000 });
  });

  it("stores the agent's reply typed in the composer and sends it to the api inbox's callback", async () => {
    const reply = 'Thanks Dana, I am checking with the courier now.';
    await page.getByTestId('composer').fill(reply);
    await page.getByTestId('composer').press('Enter');
    await expect.poll(() => page.getByTestId('composer').inputValue()).toBe('');

    const stored = await eventually(async () => {
      const rows = await ctx.database.unsafe.execute<{ id: string; status: string; direction: string }>(
        sql`select id, status, direction from messages
            where conversation_id = ${conversationId} and content->>'text' = ${reply}`,
      );
      expect(rows.rows).toHaveLength(1);
      expect(rows.rows[0]).toMatchObject({ direction: 'out', status: 'sent' });
      return rows.rows[0]!;
    }, 10_000);
    const sent = callback.state.requests.find((r) => r.json?.message?.id === stored.id);
    expect(sent?.signatureValid).toBe(true);
    expect(sent?.json.message.content).toEqual({ text: reply });
    expect(sent?.json.event).toBe('message.created');

    // The worker's status report reaches the page over the socket.
    const bubble = page.getByTestId('message').filter({ hasText: reply });
    await expect.poll(() => bubble.getAttribute('data-status'), { timeout: 10_000 }).toBe('sent');
  });

  it('adds a private note that is stored and never sent out', async () => {
    const before = callback.state.requests.length;
    await page.getByTestId('private-toggle').click();
    await page.getByTestId('composer').fill('Courier ticket opened, waiting for an answer');
    await page.getByTestId('composer').press('Enter');
    const note = page.locator('[data-testid="message"][data-private="true"]');
    await note.filter({ hasText: 'Courier ticket opened' }).waitFor();
    const rows = await ctx.database.unsafe.execute<{ is_private: boolean; status: string }>(
      sql`select is_private, status from messages where conversation_id = ${conversationId}
          and content->>'text' = 'Courier ticket opened, waiting for an answer'`,
    );
    expect(rows.rows).toHaveLength(1);
    expect(rows.rows[0]!.is_private).toBe(true);
    await new Promise((r) => setTimeout(r, 500));
    expect(callback.state.requests.length).toBe(before);
    await page.getByRole('button', { name: 'Reply', exact: true }).click();
  });

  it('keeps the open conversation across a reload (the session comes back from the refresh cookie)', async () => {
    await page.reload();
    await page
      .getByTestId('message')
      .filter({ hasText: 'Order number is 1042' })
      .waitFor({ timeout: 10_000 });
    expect(page.url()).toBe(`${web.url}/inbox/${conversationId}`);
    await shoot('inbox-light');
    if (SCREENSHOTS) {
      await setTheme('dark');
      await shoot('inbox-dark');
      await setTheme('light');
    }
  });

  it('refreshes a rejected access token once for all concurrent requests, and the page stays', async () => {
    let refreshes = 0;
    const rejected = new Set<string>();
    await page.route('**/api/v1/auth/refresh', async (route) => {
      refreshes++;
      // Slow enough that every request rejected meanwhile must wait for this same refresh.
      await new Promise((r) => setTimeout(r, 300));
      await route.continue();
    });
    // Each path the page asks for as it mounts answers 401 once, as it would for an access token that expired.
    await page.route(/\/api\/v1\/(conversations|inboxes)(\/[0-9a-f-]{36})?(\?|$)/, async (route) => {
      const path = new URL(route.request().url()).pathname;
      if (rejected.has(path)) return route.continue();
      rejected.add(path);
      return route.fulfill({
        status: 401,
        contentType: 'application/json',
        body: JSON.stringify({ statusCode: 401, error: 'Unauthorized', message: 'Access token expired' }),
      });
    });
    await page.reload();
    await page
      .getByTestId('message')
      .filter({ hasText: 'Order number is 1042' })
      .waitFor({ timeout: 10_000 });
    await page.getByTestId('contact-details').filter({ hasText: 'Dana Customer' }).waitFor();
    expect(page.url()).toBe(`${web.url}/inbox/${conversationId}`);
    expect(rejected.size).toBe(3);
    // One refresh restoring the session after the reload, one for every 401 together: a second use of the
    // same refresh cookie would have made the API end the session.
    expect(refreshes).toBe(2);
    await page.unrouteAll();
  });

  it("replies to an email with the thread's Cc by default, a Bcc the agent adds, and a Cc the agent changes", async () => {
    // An email inbox and a customer's email written straight to the tables: no mailbox is polled for this test
    // (the inbox points at ports that refuse, so the worker's tries fail fast and change nothing checked here).
    const tenantId = stack.tenant.id;
    const [mailInbox] = await ctx.database.unsafe
      .insert(channels)
      .values({
        tenantId,
        type: 'email',
        name: 'Support mail',
        config: {
          emailAddress: 'support@acme.test',
          fromName: 'Acme Support',
          imap: {
            host: '127.0.0.1',
            port: 1,
            secure: false,
            username: 'support@acme.test',
            mailbox: 'INBOX',
          },
          smtp: { host: '127.0.0.1', port: 1, secure: false, username: 'support@acme.test' },
        },
      })
      .returning();
    const thread = await makeConversation(ctx.database, tenantId, {
      channelId: mailInbox!.id,
      contactName: 'Erin Email',
    });
    await ctx.database.unsafe.insert(messages).values({
      tenantId,
      conversationId: thread.id,
      channelId: mailInbox!.id,
      direction: 'in',
      type: 'text',
      content: { text: 'Can you send the invoice again?', subject: 'Invoice 77', cc: ['bob@customer.test'] },
      status: 'received',
      senderType: 'contact',
      senderId: thread.contactId,
    });
    const stored = (text: string) =>
      eventually(async () => {
        const rows = await ctx.database.unsafe.execute<{ content: Record<string, unknown> }>(
          sql`select content from messages where conversation_id = ${thread.id} and content->>'text' = ${text}`,
        );
        expect(rows.rows).toHaveLength(1);
        return rows.rows[0]!.content;
      }, 10_000);

    await page.goto(`${web.url}/inbox/${thread.id}`);
    await page.getByTestId('message').filter({ hasText: 'Can you send the invoice again?' }).waitFor();
    expect(await page.getByTestId('composer-cc').inputValue()).toBe('bob@customer.test');
    expect(await page.getByTestId('composer-bcc').inputValue()).toBe('');

    // Cc left as it is (the API copies the thread's people), a blind copy named.
    await page.getByTestId('composer-bcc').fill('boss@acme.test; boss@acme.test');
    await page.getByTestId('composer').fill('Here it is again, Erin.');
    await page.getByTestId('composer').press('Enter');
    const first = await stored('Here it is again, Erin.');
    expect(first.bcc).toEqual(['boss@acme.test']);
    expect(first).not.toHaveProperty('cc');
    await page.getByTestId('message-bcc').filter({ hasText: 'Bcc: boss@acme.test' }).waitFor();
    await eventually(async () => {
      expect(await page.getByTestId('composer-bcc').inputValue()).toBe('');
    }, 10_000);

    // The agent's own Cc replaces the default for this reply; no Bcc this time.
    await page.getByTestId('composer-cc').fill('finance@customer.test, bob@customer.test');
    await page.getByTestId('composer').fill('Copying our finance contact.');
    await page.getByTestId('composer').press('Enter');
    const second = await stored('Copying our finance contact.');
    expect(second.cc).toEqual(['finance@customer.test', 'bob@customer.test']);
    expect(second).not.toHaveProperty('bcc');
    // The composer goes back to the thread's default once the API has answered, which can be a moment after the
    // reply is stored.
    await eventually(async () => {
      expect(await page.getByTestId('composer-cc').inputValue()).toBe('bob@customer.test');
    }, 10_000);
  });

  it('logs out back to the login page, and a reload stays signed out', async () => {
    await page.getByTestId('logout').click();
    await page.waitForURL(`${web.url}/login`);
    await page.goto(`${web.url}/inbox`);
    await page.waitForURL(`${web.url}/login`);
  });

  it('registers a workspace that waits for approval, and names a taken email', async () => {
    await page.goto(`${web.url}/register`);
    await page.getByLabel('Company').fill('Globex Corp');
    await page.getByLabel('Your name').fill('Gail Owner');
    await page.getByLabel('Email').fill('not-an-email');
    await page.getByLabel('Password').fill('short');
    await page.getByRole('button', { name: 'Create workspace' }).click();
    await page.getByTestId('email-error').waitFor();
    expect(await page.getByTestId('password-error').textContent()).toContain('at least 10 characters');

    await page.getByLabel('Email').fill('Gail@Globex.example');
    await page.getByLabel('Password').fill('Globex-pass-2026');
    await page.getByRole('button', { name: 'Create workspace' }).click();
    await page.getByTestId('waiting-for-approval').waitFor();
    const rows = await ctx.database.unsafe.execute<{ status: string; email: string }>(
      sql`select t.status, u.email from tenants t join users u on u.tenant_id = t.id where t.name = 'Globex Corp'`,
    );
    expect(rows.rows).toEqual([{ status: 'PENDING', email: 'gail@globex.example' }]);

    await page.goto(`${web.url}/register`);
    await page.getByLabel('Company').fill('Globex Again');
    await page.getByLabel('Your name').fill('Gail Owner');
    await page.getByLabel('Email').fill('gail@globex.example');
    await page.getByLabel('Password').fill('Globex-pass-2026');
    await page.getByRole('button', { name: 'Create workspace' }).click();
    await expect
      .poll(() => page.getByTestId('form-error').textContent())
      .toBe('An account with this email already exists');
  });
});
