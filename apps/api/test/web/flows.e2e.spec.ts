import { sql } from 'drizzle-orm';
import type { TFlow } from '@orbitdesk/shared';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../support/eventually.js';
import { DEFAULT_PASSWORD } from '../support/factories.js';
import { inbound, textFrom } from '../support/inbox.js';
import { http } from '../support/test-app.js';
import { SCREENSHOTS, screenshotPath, startWebStack, type WebStack } from './web-browser.js';

/**
 * The flow builder in a real browser in front of a real API and worker: an admin creates a keyword flow, draws
 * trigger → Send Message → End on the FlowGram canvas (validation marks the nodes until it is right), test-runs
 * it, publishes it, and a customer's "hello" on an api inbox then gets the flow's reply through the callback.
 */
describe('web app flow builder in Chromium', () => {
  let stack: WebStack;
  let ctx: WebStack['ctx'];
  let web: WebStack['web'];
  let page: Page;
  let callback: WebStack['callback'];
  let inbox: WebStack['inbox'];
  let admin: WebStack['admin'];
  let token = '';
  let flowId = '';

  beforeAll(async () => {
    stack = await startWebStack();
    ({ ctx, web, callback, inbox, admin, token } = stack);
    page = await stack.browser.newPage({ viewport: { width: 1400, height: 860 }, colorScheme: 'light' });
  });
  afterAll(() => stack?.close());

  const node = (id: string): Locator => page.locator(`[data-testid="flow-node"][data-node-id="${id}"]`);
  const problemsOf = async (id: string) => (await node(id).getByTestId('node-problems').textContent()) ?? '';

  it('lists no flows, then creates a keyword flow and opens its canvas with the trigger', async () => {
    await page.goto(`${web.url}/login`);
    await page.getByLabel('Email').fill(admin.email);
    await page.getByLabel('Password').fill(DEFAULT_PASSWORD);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL(`${web.url}/inbox`);

    await page.goto(`${web.url}/flows`);
    await page.getByText('No flows yet').waitFor();
    await page.getByRole('button', { name: 'New flow' }).click();
    await page.getByLabel('Name').fill('Greeter');
    await page.getByLabel('Keywords').fill('hello');
    await page.getByRole('button', { name: 'Create' }).click();
    await page.waitForURL(/\/flows\/[0-9a-f-]{36}$/);
    flowId = page.url().split('/').at(-1)!;

    await node('trigger').waitFor({ timeout: 15_000 });
    expect(await page.getByTestId('flow-status').textContent()).toBe('draft');
    // All fifteen node types are in the palette; the trigger is there but taken.
    expect(await page.locator('[data-testid^="palette-"]').count()).toBe(15);
    expect(await page.getByTestId('palette-trigger').isDisabled()).toBe(true);
  });

  it('adds a Send Message whose missing text and missing edge are marked on the node, by the client and the server', async () => {
    await page.getByTestId('palette-send_message').click();
    await node('send_message_1').waitFor();
    expect(await node('send_message_1').getAttribute('data-invalid')).toBe('true');
    expect(await problemsOf('send_message_1')).toContain('data.text: is required');
    expect(await problemsOf('send_message_1')).toContain('unreachable from the trigger');

    // The server refuses the draft with its own list of problems (400 details.problems).
    const answer = page.waitForResponse(
      (r) => r.url().endsWith(`/api/v1/flows/${flowId}`) && r.request().method() === 'PATCH',
    );
    await page.getByTestId('save-draft').click();
    expect((await answer).status()).toBe(400);
    await expect.poll(() => page.getByTestId('builder-notice').textContent()).toContain('graph');
    expect(await node('send_message_1').getAttribute('data-invalid')).toBe('true');

    // The side form is the node's zod schema: typing the text clears that problem at once.
    await page.getByTestId('node-field-text').fill('Hi {{contact.name}}');
    await expect.poll(() => problemsOf('send_message_1')).not.toContain('data.text');
    expect(await problemsOf('send_message_1')).toContain('unreachable from the trigger');
  });

  it('connects trigger → Send Message by dragging between ports, and Send Message → End from the side panel', async () => {
    // FlowGram draws a node's ports next to its content, inside the node's own element.
    const port = node('trigger').locator('xpath=..').locator('[data-port-entity-type="output"]');
    const portBox = (await port.boundingBox())!;
    const from = { x: portBox.x + portBox.width / 2, y: portBox.y + portBox.height / 2 };
    const toBox = (await node('send_message_1').boundingBox())!;
    await page.mouse.move(from.x, from.y);
    await page.mouse.down();
    await page.mouse.move(from.x + 40, from.y + 10, { steps: 5 });
    await page.mouse.move(toBox.x + 20, toBox.y + toBox.height / 2, { steps: 10 });
    await page.mouse.up();
    await expect.poll(() => node('send_message_1').getAttribute('data-invalid')).toBeNull();

    await node('send_message_1').click();
    await page.getByTestId('palette-end').click();
    await node('end_1').waitFor();
    expect(await problemsOf('end_1')).toContain('unreachable from the trigger');
    await node('send_message_1').click();
    await page.getByTestId('connect-next').selectOption('end_1');
    await expect.poll(() => page.locator('[data-testid="flow-node"][data-invalid]').count()).toBe(0);
  });

  it('saves and test-runs the draft: the step log lights up every node it passed', async () => {
    await page.getByLabel('Test contact name').fill('Tess Tester');
    await page.getByLabel('Test message').fill('hello');
    await page.getByTestId('run-test').click();
    await expect
      .poll(() => page.getByTestId('test-status').textContent(), { timeout: 10_000 })
      .toBe('completed');
    for (const id of ['trigger', 'send_message_1', 'end_1']) {
      expect(await node(id).getAttribute('data-passed')).toBe('ok');
    }
    expect(await page.getByTestId('test-step').count()).toBe(3);
    expect(await page.getByTestId('test-step').nth(1).textContent()).toContain('Hi Tess Tester');
    if (SCREENSHOTS) {
      await page.getByRole('button', { name: 'Fit to screen' }).click();
      await page.waitForTimeout(500);
      await page.screenshot({ path: screenshotPath('flow-builder-light') });
    }

    // Nothing was sent by the test run.
    const sent = await ctx.database.unsafe.execute(sql`select id from messages where direction = 'out'`);
    expect(sent.rows).toHaveLength(0);
  });

  it('publishes the flow, which stores the FlowGram document with its settings', async () => {
    await page.getByTestId('publish').click();
    await expect.poll(() => page.getByTestId('builder-notice').textContent()).toBe('Published version 1');
    expect(await page.getByTestId('flow-status').textContent()).toBe('active');

    const flow = await http<TFlow>(ctx.app, 'GET', `/api/v1/flows/${flowId}`, { token });
    expect(flow.body).toMatchObject({
      status: 'ACTIVE',
      publishedVersion: 1,
      trigger: { type: 'keyword', settings: { keywords: ['hello'] } },
    });
    const byId = Object.fromEntries(flow.body.graph.nodes.map((n) => [n.id, n]));
    expect(byId.send_message_1).toMatchObject({
      type: 'send_message',
      meta: { position: { x: expect.any(Number), y: expect.any(Number) } },
      data: { messageType: 'text', text: 'Hi {{contact.name}}' },
    });
    expect(byId.end_1?.type).toBe('end');
    expect(flow.body.graph.edges).toEqual(
      expect.arrayContaining([
        { sourceNodeID: 'trigger', targetNodeID: 'send_message_1' },
        { sourceNodeID: 'send_message_1', targetNodeID: 'end_1' },
      ]),
    );
    expect(flow.body.graph.edges).toHaveLength(2);
  });

  it('runs when a customer writes "hello" to the api inbox: the reply is stored and sent', async () => {
    const posted = await inbound(
      ctx.app,
      inbox.id,
      inbox.secret,
      textFrom('cust-7', 'hello', 'ext-hello', 'Dana Customer'),
    );
    expect(posted.status).toBe(200);
    const reply = await eventually(async () => {
      const rows = await ctx.database.unsafe.execute<{ id: string; status: string }>(
        sql`select id, status from messages where direction = 'out' and content->>'text' = 'Hi Dana Customer'`,
      );
      expect(rows.rows).toHaveLength(1);
      expect(rows.rows[0]!.status).toBe('sent');
      return rows.rows[0]!;
    }, 15_000);
    const delivered = callback.state.requests.find((r) => r.json?.message?.id === reply.id);
    expect(delivered?.signatureValid).toBe(true);
    const sessions = await ctx.database.unsafe.execute<{ status: string }>(
      sql`select status from flow_sessions where flow_id = ${flowId} and test_mode = false`,
    );
    expect(sessions.rows).toEqual([{ status: 'completed' }]);
  });

  it('lists the flow as active, and reopening it draws the saved graph', async () => {
    await page.goto(`${web.url}/flows`);
    const row = page.getByTestId('flow-row').filter({ hasText: 'Greeter' });
    await row.waitFor();
    expect(await row.textContent()).toContain('active');
    expect(await row.textContent()).toContain('hello');
    await row.getByRole('link', { name: 'Greeter' }).click();
    await node('end_1').waitFor({ timeout: 15_000 });
    expect(await page.getByTestId('flow-node').count()).toBe(3);
    expect(await page.locator('[data-testid="flow-node"][data-invalid]').count()).toBe(0);
  });

  it('grows a Condition port per branch, and stores each edge with its branch id', async () => {
    await page.goto(`${web.url}/flows`);
    await page.getByRole('button', { name: 'New flow' }).click();
    await page.getByLabel('Name').fill('Order router');
    await page.getByLabel('Trigger').selectOption('webhook');
    await page.getByRole('button', { name: 'Create' }).click();
    await page.waitForURL(/\/flows\/[0-9a-f-]{36}$/);
    const routerId = page.url().split('/').at(-1)!;
    await node('trigger').waitFor({ timeout: 15_000 });

    await page.getByTestId('palette-condition').click();
    const ports = () =>
      node('condition_1')
        .locator('[data-port-type="output"]')
        .all()
        .then((els) => Promise.all(els.map((e) => e.getAttribute('data-port-id'))));
    await expect.poll(ports).toEqual(['yes', 'else']);
    await page.getByRole('button', { name: 'Add branch' }).click();
    await page.getByTestId('node-field-branches.1.id').fill('no');
    await expect.poll(ports).toEqual(['yes', 'no', 'else']);

    // A node added by mistake goes away with the Delete key.
    await page.getByTestId('palette-delay').click();
    await node('delay_1').waitFor();
    await node('delay_1').click();
    await page.keyboard.press('Delete');
    await node('delay_1').waitFor({ state: 'detached' });

    await node('condition_1').click();
    await page.getByTestId('palette-end').click();
    await node('end_1').waitFor();
    await node('condition_1').click();
    await page.getByTestId('connect-no').selectOption('end_1');
    await page.getByTestId('connect-else').selectOption('end_1');
    await node('trigger').click();
    await page.getByTestId('connect-next').selectOption('condition_1');
    await expect.poll(() => page.locator('[data-testid="flow-node"][data-invalid]').count()).toBe(0);
    await page.getByTestId('save-draft').click();
    await expect.poll(() => page.getByTestId('builder-notice').textContent()).toBe('Draft saved');

    const flow = await http<TFlow>(ctx.app, 'GET', `/api/v1/flows/${routerId}`, { token });
    expect(flow.body.graph.edges).toEqual(
      expect.arrayContaining([
        { sourceNodeID: 'trigger', targetNodeID: 'condition_1' },
        { sourceNodeID: 'condition_1', targetNodeID: 'end_1', sourcePortID: 'no' },
        { sourceNodeID: 'condition_1', targetNodeID: 'end_1', sourcePortID: 'else' },
      ]),
    );
    const condition = flow.body.graph.nodes.find((n) => n.id === 'condition_1');
    expect(condition?.data).toMatchObject({ branches: [{ id: 'yes' }, { id: 'no' }] });
  });

  it('shows the webhook URL, makes a new one that replaces the old, and sets and clears the secret', async () => {
    await node('trigger').click();
    const url = page.getByTestId('webhook-url');
    const first = (await url.textContent())!;
    expect(first).toMatch(/\/api\/v1\/webhooks\/[0-9a-f-]{36}$/);
    const oldToken = first.split('/').at(-1)!;

    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByRole('button', { name: 'New URL' }).click();
    await expect.poll(() => url.textContent()).not.toBe(first);
    expect((await http(ctx.app, 'GET', `/api/v1/webhooks/${oldToken}`)).status).toBe(404);
    const newToken = (await url.textContent())!.split('/').at(-1)!;
    expect((await http(ctx.app, 'GET', `/api/v1/webhooks/${newToken}`)).status).toBe(200);

    await page.getByLabel('Signing secret').fill('too-short');
    await page.getByRole('button', { name: 'Set', exact: true }).click();
    await page.getByText('Secret must be at least 16 characters').waitFor();
    await page.getByLabel('Signing secret').fill('a-long-enough-signing-secret');
    await page.getByRole('button', { name: 'Set', exact: true }).click();
    await expect
      .poll(() => page.getByTestId('webhook-secret-state').textContent())
      .toContain('must be signed');
    const routerId = page.url().split('/').at(-1)!;
    expect(
      (await http<TFlow>(ctx.app, 'GET', `/api/v1/flows/${routerId}`, { token })).body.webhookSecretSet,
    ).toBe(true);

    await page.getByRole('button', { name: 'Stop requiring signatures' }).click();
    await expect.poll(() => page.getByTestId('webhook-secret-state').textContent()).toContain('not signed');
    expect(
      (await http<TFlow>(ctx.app, 'GET', `/api/v1/flows/${routerId}`, { token })).body.webhookSecretSet,
    ).toBe(false);
  });
});
