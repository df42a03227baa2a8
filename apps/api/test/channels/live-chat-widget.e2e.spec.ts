import { sql } from 'drizzle-orm';
import type { Browser, Page } from 'playwright-core';
import type { Socket as ClientSocket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorker, type RunningWorker } from '../../src/worker.js';
import { eventually } from '../support/eventually.js';
import { login, makeTenantWithUser, makeUser } from '../support/factories.js';
import { connectAgent, nextEvent } from '../support/sockets.js';
import { http, startTestApp, type TestContext } from '../support/test-app.js';
import {
  assertWidgetBuilt,
  cssOf,
  freePort,
  launchChromium,
  startHostSite,
  storedItem,
} from '../support/widget-browser.js';
import { makeLiveChatInbox } from '../support/widget-client.js';

/**
 * The widget in a real browser: a host page on another origin embeds the inbox's snippet; the visitor opens the
 * chat, fills in the pre-chat form and writes; an agent's reply (sent through the API, delivered by the worker)
 * appears in the page. The host page's CSS is hostile on purpose: none of it may reach the widget.
 */
describe('live chat widget in Chromium', () => {
  let ctx: TestContext;
  let worker: RunningWorker;
  let browser: Browser;
  let page: Page;
  let host: Awaited<ReturnType<typeof startHostSite>>;
  let agentToken: string;
  let agentSocket: ClientSocket;
  let inbox: Awaited<ReturnType<typeof makeLiveChatInbox>>;
  let hostPage = '';
  let conversationId = '';

  beforeAll(async () => {
    await assertWidgetBuilt();
    const apiPort = await freePort();
    const publicUrl = `http://127.0.0.1:${apiPort}`;
    ctx = await startTestApp({ env: { PUBLIC_URL: publicUrl } });
    await ctx.app.listen({ port: apiPort, host: '127.0.0.1' });
    worker = await startWorker(ctx.config);

    const admin = await makeTenantWithUser(ctx.app, ctx.database, 'ADMIN');
    const agent = await makeUser(ctx.database, admin.tenant.id, { role: 'AGENT' });
    agentToken = (await login(ctx.app, agent.email)).token;
    agentSocket = await connectAgent(publicUrl, agentToken);

    host = await startHostSite(() => hostPage);
    const hostOrigin = `http://localhost:${host.port}`;
    inbox = await makeLiveChatInbox(ctx.app, admin.token, {
      websiteUrl: hostOrigin,
      allowedOrigins: [hostOrigin],
      title: 'Acme help',
      color: '#0f766e',
      welcomeMessage: 'Hi! How can we help?',
      preChatForm: true,
    });
    hostPage = `<!doctype html><html><head><title>Shop</title><style>
      * { font-family: serif !important; color: rgb(255, 0, 0) !important; }
      button, textarea, input { display: none !important; }
      .launcher, .panel, .msg { visibility: hidden !important; }
    </style></head><body><h1>Acme shop</h1>${inbox.body.details.snippet}</body></html>`;

    browser = await launchChromium();
    page = await browser.newPage();
    await page.goto(`${hostOrigin}/`);
  });
  afterAll(async () => {
    await browser?.close();
    agentSocket?.disconnect();
    await host?.close();
    await worker?.close();
    await ctx?.close();
  });

  const widget = (selector: string) => page.locator(`orbitdesk-chat ${selector}`);

  it('loads from the snippet, untouched by the page CSS, and opens on the launcher', async () => {
    await widget('.launcher').click({ timeout: 10_000 });
    await widget('.panel').waitFor({ state: 'visible' });
    expect(await widget('.title').textContent()).toBe('Acme help');
    expect(await widget('.msg.agent').first().textContent()).toBe('Hi! How can we help?');
    const titleFont = await cssOf(widget('.title'), 'fontFamily');
    expect(titleFont).toContain('system-ui');
    const headerColor = await cssOf(widget('.header'), 'backgroundColor');
    expect(headerColor).toBe('rgb(15, 118, 110)');
    // Nor does the widget's CSS leak out into the page.
    const h1 = await cssOf(page.locator('h1'), 'fontFamily');
    expect(h1).toBe('serif');
  });

  it('asks for name and email first, then sends the message (stored, typing shown to the agent)', async () => {
    await widget('[data-od="prechat"]').waitFor({ state: 'visible' });
    expect(await widget('[data-od="composer"]').isHidden()).toBe(true);
    await widget('input[name="name"]').fill('Mira Visitor');
    await widget('input[name="email"]').fill('mira@visitor.example');
    await widget('[data-od="prechat"] button[type="submit"]').click();
    await widget('[data-od="composer"]').waitFor({ state: 'visible' });

    await widget('textarea').fill('Where is my order?');
    await widget('textarea').press('Enter');
    await widget('.msg.visitor:not(.pending)').filter({ hasText: 'Where is my order?' }).waitFor();

    const row = await eventually(async () => {
      const r = (
        await ctx.database.unsafe.execute<Record<string, any>>(
          sql`select m.conversation_id, c.name, c.email from messages m
              join conversations v on v.id = m.conversation_id join contacts c on c.id = v.contact_id
              where m.channel_id = ${inbox.id} and m.content->>'text' = 'Where is my order?'`,
        )
      ).rows;
      expect(r).toHaveLength(1);
      return r[0]!;
    });
    expect(row).toMatchObject({ name: 'Mira Visitor', email: 'mira@visitor.example' });
    conversationId = row.conversation_id;

    const joined = await agentSocket.emitWithAck('join_conversation', { conversationId });
    expect(joined).toEqual({ ok: true });
    const typing = nextEvent<any>(agentSocket, 'typing', 5_000);
    await widget('textarea').pressSequentially('Also', { delay: 20 });
    expect(await typing).toMatchObject({ conversationId, isTyping: true });
  });

  it("shows the agent's typing and reply, sent through the API and delivered by the worker, and reports it read", async () => {
    agentSocket.emit('typing', { conversationId, isTyping: true });
    await widget('[data-od="typing"]').waitFor({ state: 'visible' });

    const res = await http(ctx.app, 'POST', '/api/v1/messages', {
      token: agentToken,
      body: { conversationId, type: 'text', content: { text: 'Your order ships tomorrow.' } },
    });
    expect(res.status).toBe(201);
    await widget('.msg.agent').filter({ hasText: 'Your order ships tomorrow.' }).waitFor({ timeout: 10_000 });
    await widget('[data-od="typing"]').waitFor({ state: 'hidden' });
    await eventually(async () => {
      const status = (
        await ctx.database.unsafe.execute<{ status: string }>(
          sql`select status from messages where id = ${res.body.id}`,
        )
      ).rows[0]!.status;
      expect(status).toBe('read');
    }, 10_000);
  });

  it('counts replies that arrive while closed, and keeps the conversation across a reload', async () => {
    await widget('.close').click();
    await widget('.panel').waitFor({ state: 'hidden' });
    const res = await http(ctx.app, 'POST', '/api/v1/messages', {
      token: agentToken,
      body: { conversationId, type: 'text', content: { text: 'Anything else?' } },
    });
    expect(res.status).toBe(201);
    await eventually(async () => expect(await widget('[data-od="badge"]').textContent()).toBe('1'), 10_000);
    expect(await widget('[data-od="badge"]').isVisible()).toBe(true);

    const stored = await storedItem(page, `orbitdesk-widget:${inbox.websiteToken}`);
    expect(stored?.split('.')).toHaveLength(3);

    await page.reload();
    await widget('.launcher').click({ timeout: 10_000 });
    const texts = await widget('.msg').allTextContents();
    expect(texts).toEqual([
      'Hi! How can we help?',
      'Where is my order?',
      'Your order ships tomorrow.',
      'Anything else?',
    ]);
    expect(await widget('[data-od="composer"]').isVisible()).toBe(true);
  });
});
