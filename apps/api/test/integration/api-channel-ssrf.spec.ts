import { Queue } from 'bullmq';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bullPrefix, createBullConnection } from '../../src/common/queue/bullmq-connection.js';
import { OUTBOUND_QUEUE } from '../../src/common/queue/queue.constants.js';
import { startWorker, type RunningWorker } from '../../src/worker.js';
import { makeTenantWithUser } from '../support/factories.js';
import { inbound, makeApiInbox, startCallbackServer, textFrom } from '../support/inbox.js';
import { http, startTestApp, type TestContext } from '../support/test-app.js';

/** With the default outbound policy, an api inbox cannot make the worker call an internal address. */
describe('api channel callbacks to private addresses', () => {
  let ctx: TestContext;
  let worker: RunningWorker;
  let callback: Awaited<ReturnType<typeof startCallbackServer>>;

  beforeAll(async () => {
    ctx = await startTestApp();
    worker = await startWorker(ctx.config);
    callback = await startCallbackServer();
  });
  afterAll(async () => {
    await worker?.close();
    await callback?.close();
    await ctx?.close();
  });

  it('refuses a private callback URL when the inbox is saved, naming the field', async () => {
    const admin = await makeTenantWithUser(ctx.app, ctx.database, 'ADMIN');
    for (const url of [
      'http://127.0.0.1:9/cb',
      'http://10.0.0.1/cb',
      'http://169.254.169.254/latest',
      'http://[::1]/cb',
    ]) {
      const res = await http(ctx.app, 'POST', '/api/v1/channels', {
        token: admin.token,
        body: { type: 'api', name: 'Internal', config: { callbackUrl: url } },
      });
      expect(res.status, url).toBe(400);
      expect(res.body.message).toMatch(/body\.config\.callbackUrl: is not allowed/);
    }
    const inbox = await makeApiInbox(ctx.app, admin.token);
    const patched = await http(ctx.app, 'PATCH', `/api/v1/channels/${inbox.id}`, {
      token: admin.token,
      body: { config: { callbackUrl: 'http://localhost:8080/cb' } },
    });
    expect(patched.status).toBe(400);
  });

  it('a callback that turns private after it was saved fails the message for good, never called', async () => {
    expect(ctx.config.OUTBOUND_ALLOW_PRIVATE_NETWORKS).toBe(false);
    const admin = await makeTenantWithUser(ctx.app, ctx.database, 'ADMIN');
    const inbox = await makeApiInbox(ctx.app, admin.token);
    // As if its name had been re-pointed at an internal address (DNS rebinding): only the connection-time check
    // stands between the worker and the internal service.
    await ctx.database.unsafe.execute(
      sql`update channels set config = ${JSON.stringify({ callbackUrl: callback.url })}::jsonb where id = ${inbox.id}`,
    );
    callback.state.secret = inbox.secret;
    const conv = await inbound(ctx.app, inbox.id, inbox.secret, textFrom('ssrf-1', 'hello'));
    const sent = await http(ctx.app, 'POST', '/api/v1/messages', {
      token: admin.token,
      body: { conversationId: conv.body.conversationId, type: 'text', content: { text: 'to loopback' } },
    });
    expect(sent.status).toBe(201);

    const row = async () =>
      (
        await ctx.database.unsafe.execute<{ status: string; failure_reason: string | null }>(
          sql`select status, failure_reason from messages where id = ${sent.body.id}`,
        )
      ).rows[0]!;
    await expect.poll(async () => (await row()).status, { timeout: 10_000 }).toBe('failed');
    expect((await row()).failure_reason).toBe(
      'Callback URL not allowed: 127.0.0.1 is a loopback address (127.0.0.0/8)',
    );
    // Permanent: one attempt, failed at once, never retried.
    const connection = createBullConnection(ctx.config, 'producer');
    const queue = new Queue(OUTBOUND_QUEUE, { connection, prefix: bullPrefix(ctx.config) });
    try {
      const job = await queue.getJob(sent.body.id);
      expect(await job!.isFailed()).toBe(true);
      expect(job!.attemptsMade).toBe(1);
    } finally {
      await queue.close();
      connection.disconnect();
    }
    expect(callback.state.requests).toHaveLength(0);
  });
});
