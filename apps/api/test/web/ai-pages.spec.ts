import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAiService, type RunningAiService } from '../support/ai-service.js';
import { eventually } from '../support/eventually.js';
import { DEFAULT_PASSWORD } from '../support/factories.js';
import { inbound, textFrom } from '../support/inbox.js';
import { http } from '../support/test-app.js';
import { SCREENSHOTS, screenshotPath, startWebStack, type WebStack } from './web-browser.js';

const SHIPPING_FAQ =
  'Standard shipping takes 3 to 5 business days within the country. ' +
  'Express shipping arrives the next business day when ordered before noon. ' +
  'Returns are free within 30 days of delivery.';

/**
 * The AI pages in a real browser in front of the real API, worker and AI service (local provider, offline): an
 * admin saves the AI settings, builds a knowledge base from a pasted text and a file and watches both indexed live,
 * searches it, creates a RAG agent for the api inbox whose preview answers with a citation, and then sees a
 * customer's messages classified (intent, sentiment, language chips, live) and takes the conversation over.
 */
describe('web app AI pages in Chromium', () => {
  let ai: RunningAiService;
  let storageDir: string;
  let stack: WebStack;
  let ctx: WebStack['ctx'];
  let web: WebStack['web'];
  let inbox: WebStack['inbox'];
  let admin: WebStack['admin'];
  let page: Page;
  let baseId = '';
  let agentId = '';

  beforeAll(async () => {
    storageDir = await mkdtemp(join(tmpdir(), 'orbitdesk-web-ai-'));
    ai = await startAiService();
    stack = await startWebStack({ env: { AI_SERVICE_URL: ai.url, STORAGE_LOCAL_DIR: storageDir } });
    ({ ctx, web, inbox, admin } = stack);
    page = await stack.browser.newPage({ viewport: { width: 1400, height: 1000 }, colorScheme: 'light' });
    // A step that cannot happen fails with its locator, well inside the test's own timeout.
    page.setDefaultTimeout(10_000);
  });
  afterAll(async () => {
    await stack?.close();
    await ai?.close();
    if (storageDir) await rm(storageDir, { recursive: true, force: true });
  });

  const api = (method: 'GET' | 'POST', path: string) =>
    http(ctx.app, method, `/api/v1${path}`, { token: stack.token });
  const shoot = async (name: string) => {
    if (!SCREENSHOTS) return;
    // Tall enough for the whole page, from its top (the page scrolls inside <main>, not the window).
    await page.setViewportSize({ width: 1400, height: 1250 });
    await page.evaluate("document.querySelector('main .overflow-y-auto')?.scrollTo(0, 0)");
    for (const theme of ['light', 'dark'] as const) {
      const dark = ((await page.locator('html').getAttribute('class')) ?? '').split(' ').includes('dark');
      if (dark !== (theme === 'dark')) await page.getByTestId('theme-toggle').click();
      // Let the colour transitions finish before the picture.
      await page.waitForTimeout(400);
      await page.screenshot({ path: screenshotPath(`${name}-${theme}`) });
    }
    await page.getByTestId('theme-toggle').click();
    await page.setViewportSize({ width: 1400, height: 1000 });
  };

  it('saves local AI settings with understanding on; a bad base URL is refused by its field first', async () => {
    await page.goto(`${web.url}/login`);
    await page.getByLabel('Email').fill(admin.email);
    await page.getByLabel('Password').fill(DEFAULT_PASSWORD);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL(`${web.url}/inbox`);

    await page.getByRole('link', { name: 'Settings' }).click();
    await page
      .getByRole('navigation', { name: 'Settings' })
      .getByRole('link', { name: 'AI', exact: true })
      .click();
    await page.waitForURL(`${web.url}/settings/ai`);
    await page.getByLabel('Provider').selectOption('openai');
    expect(await page.getByTestId('local-provider-hint').count()).toBe(0);
    expect(await page.getByLabel('Model').getAttribute('placeholder')).toBe('gpt-4o-mini');
    await page.getByLabel('Provider').selectOption('local');
    await page.getByTestId('local-provider-hint').waitFor();
    expect(await page.getByLabel('Model').getAttribute('placeholder')).toBe('orbitdesk-local-1');

    // The shared contract, in the browser: nothing is sent.
    let puts = 0;
    page.on('request', (r) => {
      if (r.method() === 'PUT' && r.url().endsWith('/api/v1/ai/settings')) puts++;
    });
    await page.getByText('Advanced').click();
    await page.getByLabel('Base URL').fill('not a url');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByTestId('ai-base-url-error').waitFor();
    expect(puts).toBe(0);

    await page.getByLabel('Base URL').fill('');
    await page.getByLabel('Understand inbound messages').check();
    const saved = page.waitForResponse(
      (r) => r.request().method() === 'PUT' && r.url().endsWith('/api/v1/ai/settings'),
    );
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    expect((await saved).status()).toBe(200);
    await page.getByRole('status').filter({ hasText: 'Saved' }).waitFor();
    const settings = await api('GET', '/ai/settings');
    expect(settings.body).toMatchObject({
      provider: 'local',
      model: 'orbitdesk-local-1',
      apiKeyLast4: null,
      baseUrl: null,
      understandingEnabled: true,
    });

    await page.getByRole('button', { name: 'Test connection' }).click();
    const result = page.getByTestId('ai-test-result');
    await result.waitFor();
    expect(await result.getAttribute('data-ok')).toBe('true');
    expect(await result.textContent()).toContain('orbitdesk-local-1');
  });

  it('creates a knowledge base; a taken name is refused by its field', async () => {
    await page.getByRole('link', { name: 'Knowledge' }).click();
    await page.waitForURL(`${web.url}/knowledge`);
    await page.getByText('No knowledge bases yet').waitFor();
    await page.getByRole('button', { name: 'New knowledge base' }).click();
    await page.getByLabel('Name').fill('Help center');
    await page.getByRole('button', { name: 'Create knowledge base' }).click();
    await page.waitForURL(/\/knowledge\/[0-9a-f-]{36}$/);
    baseId = page.url().split('/').at(-1)!;
    await page.getByText('No sources yet').waitFor();
    expect(await page.getByTestId('kb-summary').textContent()).toContain('local:hash-384');

    await page.getByRole('link', { name: '← All knowledge bases' }).click();
    await page.getByTestId('kb-row').filter({ hasText: 'Help center' }).waitFor();
    await page.getByRole('button', { name: 'New knowledge base' }).click();
    await page.getByLabel('Name').fill('Help center');
    await page.getByRole('button', { name: 'Create knowledge base' }).click();
    await expect.poll(() => page.getByTestId('kb-name-error').textContent()).toContain('already exists');
    await page.getByRole('button', { name: 'Cancel' }).click();
    await page.getByRole('link', { name: 'Help center' }).click();
    await page.waitForURL(`${web.url}/knowledge/${baseId}`);
  });

  it('adds a pasted text and watches it become ready without a reload', async () => {
    await page.getByRole('button', { name: 'Add text' }).click();
    await page.getByTestId('source-text-error').waitFor();

    await page.getByLabel('Title').fill('Shipping FAQ');
    await page.getByLabel('Text', { exact: true }).fill(SHIPPING_FAQ);
    const created = page.waitForResponse(
      (r) => r.request().method() === 'POST' && r.url().endsWith(`/api/v1/knowledge-bases/${baseId}/sources`),
    );
    await page.getByRole('button', { name: 'Add text' }).click();
    const answer = await created;
    expect(answer.status()).toBe(201);
    // Indexing happens in the worker after the answer: the page learns of "ready" by polling.
    expect(((await answer.json()) as { status: string }).status).not.toBe('ready');

    const row = page.locator('[data-testid="source-row"][data-source-name="Shipping FAQ"]');
    await expect
      .poll(() => row.getByTestId('source-status').getAttribute('data-status'), { timeout: 20_000 })
      .toBe('ready');
    expect(Number(await row.getByTestId('source-chunks').textContent())).toBeGreaterThan(0);
    await expect.poll(() => page.getByTestId('kb-summary').textContent()).toContain('1 source ·');
    expect(await page.getByLabel('Text', { exact: true }).inputValue()).toBe('');
  });

  it('refuses an unsupported file in the browser and indexes an uploaded text file', async () => {
    await page.getByRole('tab', { name: 'Upload files' }).click();
    let uploads = 0;
    page.on('request', (r) => {
      if (r.url().endsWith('/sources/upload')) uploads++;
    });
    await page.getByLabel('Files to add').setInputFiles({
      name: 'photo.png',
      mimeType: 'image/png',
      buffer: Buffer.from([0x89, 0x50, 0x4e, 0x47]),
    });
    const refused = page.getByTestId('uploads').locator('[data-state="refused"]');
    await expect.poll(() => refused.textContent()).toContain('only PDF, DOCX, TXT, CSV');
    expect(uploads).toBe(0);

    await page.getByLabel('Files to add').setInputFiles({
      name: 'warranty.txt',
      mimeType: 'text/plain',
      buffer: Buffer.from('Every kettle has a two year warranty covering the heating element and the lid.\n'),
    });
    await page.getByTestId('uploads').locator('[data-state="added"]').waitFor();
    expect(uploads).toBe(1);
    const row = page.locator('[data-testid="source-row"][data-source-name="warranty.txt"]');
    await expect
      .poll(() => row.getByTestId('source-status').getAttribute('data-status'), { timeout: 20_000 })
      .toBe('ready');
    const stored = await ctx.database.unsafe.execute<{ type: string; status: string }>(
      sql`select type, status from knowledge_sources where knowledge_base_id = ${baseId} order by created_at`,
    );
    expect(stored.rows).toEqual([
      { type: 'TEXT', status: 'ready' },
      { type: 'FILE', status: 'ready' },
    ]);
  });

  it('searches the base and shows the hits with their source and score', async () => {
    await page.getByLabel('Question').fill('How long does standard shipping take?');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    const first = page.getByTestId('search-hit').first();
    await first.waitFor();
    expect(await first.getByTestId('hit-source').textContent()).toBe('Shipping FAQ');
    expect(await first.getByTestId('hit-score').textContent()).toMatch(/^score \d+\.\d{4}$/);
    expect(await first.textContent()).toContain('3 to 5 business days');
    await shoot('knowledge-base');
  });

  it('creates a RAG agent for the inbox and that base; the preview answers with a citation', async () => {
    await page.getByRole('link', { name: 'AI agents' }).click();
    await page.getByText('No AI agents yet').waitFor();
    await page.getByRole('link', { name: 'New agent' }).click();
    await page.waitForURL(`${web.url}/ai-agents/new`);

    // Empty name: the shared contract refuses it by its field before anything is sent.
    await page.getByRole('button', { name: 'Create agent' }).click();
    await page.getByTestId('agent-name-error').waitFor();

    await page.getByLabel('Name', { exact: true }).fill('Front desk');
    expect(await page.getByRole('radio', { name: /Knowledge \(RAG\)/ }).isChecked()).toBe(true);
    // Tools belong to tool-calling mode only.
    expect(await page.getByTestId('agent-tools').count()).toBe(0);
    await page.getByRole('radio', { name: /Tool calling/ }).check();
    await page.getByTestId('agent-tools').waitFor();
    await page.getByRole('radio', { name: /Knowledge \(RAG\)/ }).check();
    await page.getByLabel('System prompt').fill('You are the Acme help desk. Answer briefly.');
    await page.getByLabel('Handoff keywords').fill('refund');
    await page.getByLabel('Handoff keywords').press('Enter');
    await page
      .getByTestId('agent-knowledge-bases')
      .getByRole('checkbox', { name: /Help center/ })
      .check();
    await page
      .getByTestId('agent-inboxes')
      .getByRole('checkbox', { name: /Website \(API\)/ })
      .check();
    await page.getByRole('button', { name: 'Create agent' }).click();
    await page.waitForURL(/\/ai-agents\/[0-9a-f-]{36}$/);
    agentId = page.url().split('/').at(-1)!;

    const stored = await api('GET', `/chat-agents/${agentId}`);
    expect(stored.body).toMatchObject({
      name: 'Front desk',
      mode: 'rag',
      provider: null,
      tools: [],
      handoffKeywords: ['human', 'agent', 'operator', 'refund'],
      knowledgeBaseIds: [baseId],
      inboxIds: [inbox.id],
      enabled: true,
    });

    await page.getByLabel('Customer message').fill('How long does standard shipping take?');
    await page.getByRole('button', { name: 'Try it' }).click();
    const result = page.getByTestId('preview-result');
    await result.waitFor({ timeout: 15_000 });
    expect(await page.getByTestId('preview-reply').textContent()).toContain('3 to 5 business days');
    expect(await page.getByTestId('preview-citations').textContent()).toContain('Shipping FAQ');
    expect(await result.getAttribute('data-handoff')).toBe('false');
    expect(await page.getByTestId('preview-handoff').textContent()).toBe('Would answer by itself');
    await shoot('ai-agent-editor');

    await page.getByRole('link', { name: '← All AI agents' }).click();
    const row = page.getByTestId('agent-row').filter({ hasText: 'Front desk' });
    await row.waitFor();
    expect(await row.textContent()).toContain('Website (API)');
    expect(await row.getByRole('switch').getAttribute('aria-checked')).toBe('true');
  });

  it('shows intent, sentiment and language chips on inbound messages, live, and lets a person take over', async () => {
    await page.getByRole('link', { name: 'Inbox' }).click();
    await page.waitForURL(`${web.url}/inbox`);
    await inbound(
      ctx.app,
      inbox.id,
      inbox.secret,
      textFrom('cust-7', 'Hello, do you ship abroad?', 'ai-1', 'Dana'),
    );
    const rowItem = page.getByTestId('conversation-row').filter({ hasText: 'Dana' });
    await rowItem.waitFor();
    const conversationId = (await rowItem.getAttribute('data-conversation-id'))!;
    await rowItem.click();
    await page.waitForURL(`${web.url}/inbox/${conversationId}`);

    // The agent of this inbox claims the conversation; the header says so, live.
    await expect
      .poll(() => page.getByTestId('ai-agent-badge').textContent(), { timeout: 15_000 })
      .toBe('AI agent: Front desk');

    // Sent while the conversation is open: the chips come with message_updated, without a reload.
    await inbound(
      ctx.app,
      inbox.id,
      inbox.secret,
      textFrom('cust-7', 'I was charged twice on my invoice, this is terrible', 'ai-2'),
    );
    const billing = page
      .locator('[data-testid="message"][data-direction="in"]')
      .filter({ hasText: 'charged twice' })
      .getByTestId('understanding');
    await billing.waitFor({ timeout: 15_000 });
    expect(await billing.getAttribute('data-intent')).toBe('billing');
    expect(await billing.getAttribute('data-sentiment')).toBe('negative');
    expect(await billing.getByTestId('understanding-intent').textContent()).toBe('Billing');
    expect(await billing.getByTestId('understanding-language').textContent()).toBe('EN');
    expect(await billing.getByTestId('understanding-sentiment').getAttribute('title')).toMatch(
      /^Sentiment −0\.\d\d \(from −1 to \+1\)$/,
    );
    const stored = await ctx.database.unsafe.execute<{ intent: string; sentiment: number }>(
      sql`select intent, sentiment from messages where conversation_id = ${conversationId}
          and content->>'text' like 'I was charged twice%'`,
    );
    expect(stored.rows[0]!.intent).toBe('billing');
    expect(stored.rows[0]!.sentiment).toBeLessThan(0);

    await page.getByRole('button', { name: 'Take over' }).click();
    await page.getByTestId('ai-agent-badge').waitFor({ state: 'detached' });
    expect(await page.getByRole('combobox', { name: 'Assignee' }).inputValue()).toBe(admin.id);
    await eventually(async () => {
      const rows = await ctx.database.unsafe.execute<{ assignee_id: string }>(
        sql`select assignee_id from conversations where id = ${conversationId}`,
      );
      expect(rows.rows[0]!.assignee_id).toBe(admin.id);
    });
  });

  it('charts the classified messages by intent on the dashboard, with the average sentiment', async () => {
    await page.getByRole('link', { name: 'Dashboard' }).click();
    const section = page.getByTestId('intents-section');
    await section.getByTestId('intents-chart').waitFor({ timeout: 15_000 });
    const stats = await api('GET', '/analytics/intents');
    expect(stats.status).toBe(200);
    const billing = (stats.body.intents as { intent: string; count: number }[]).find(
      (i) => i.intent === 'billing',
    );
    expect(billing?.count).toBe(1);
    // The number on the page is the API's average, signed, to two decimals.
    const average = stats.body.averageSentiment as number;
    const shown = (await section.getByTestId('average-sentiment').textContent())!.replace('−', '-');
    expect(Number(shown)).toBeCloseTo(average, 1);
    expect(await section.getByTestId('languages').textContent()).toContain('EN');
    if (SCREENSHOTS) {
      // Let the charts' entry animations finish.
      await page.waitForTimeout(2_000);
      await page.screenshot({ path: screenshotPath('dashboard-light') });
    }
  });
});
