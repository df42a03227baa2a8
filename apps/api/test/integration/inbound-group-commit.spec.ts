import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requestContext } from '../../src/common/tenancy/request-context.js';
import { ChannelPipelineService } from '../../src/modules/channels/channel-pipeline.service.js';
import { makeTenantWithUser } from '../support/factories.js';
import { recordIngestCalls } from '../support/ingest-calls.js';
import { countTenantRows, inbound, makeApiInbox, textFrom } from '../support/inbox.js';
import { startTestApp, type TestContext } from '../support/test-app.js';

/** Group commit of inbound messages (ChannelPipelineRepository + inbound_ingest_many, migration 0019). */
describe('inbound group commit', () => {
  let ctx: TestContext;

  beforeAll(async () => {
    ctx = await startTestApp();
  });
  afterAll(() => ctx?.close());

  const count = (table: Parameters<typeof countTenantRows>[1], tenantId: string) =>
    countTenantRows(ctx.database, table, tenantId);
  const unreadCount = async (id: string) =>
    (
      await ctx.database.unsafe.execute<{ unread_count: number }>(
        sql`select unread_count from conversations where id = ${id}`,
      )
    ).rows[0]!.unread_count;

  it('stores deliveries that arrive together in shared transactions, each exactly once', async () => {
    const T = await makeTenantWithUser(ctx.app, ctx.database, 'ADMIN');
    const inbox = await makeApiInbox(ctx.app, T.token);
    const senders = ['gc-a', 'gc-b', 'gc-c'];
    const { result: results, calls } = await recordIngestCalls(ctx.database, () =>
      Promise.all(
        Array.from({ length: 30 }, (_, i) =>
          inbound(
            ctx.app,
            inbox.id,
            inbox.secret,
            textFrom(senders[i % 3]!, `m${Math.floor(i / 3)}`, `gc-${i}`),
          ),
        ),
      ),
    );
    expect(results.map((r) => r.status)).toEqual(Array(30).fill(200));
    expect(results.every((r) => r.body.duplicate === false)).toBe(true);
    // Fewer transactions than messages: several messages went in one inbound_ingest_many call.
    expect(calls.batches.length).toBeGreaterThan(0);
    expect(Math.max(...calls.batches.map((b) => b.length))).toBeGreaterThan(1);
    expect(calls.batches.reduce((n, b) => n + b.length, 0) + calls.one).toBe(30);
    expect(await count('messages', T.tenant.id)).toBe(30);
    expect(await count('contacts', T.tenant.id)).toBe(3);
    expect(await count('conversations', T.tenant.id)).toBe(3);

    for (const i of senders.keys()) {
      const conversationId = results[i]!.body.conversationId as string;
      expect(await unreadCount(conversationId)).toBe(10);
    }
  });

  it("stores one sender's messages in the order they reached the pipeline, with increasing times", async () => {
    const T = await makeTenantWithUser(ctx.app, ctx.database, 'ADMIN');
    const inbox = await makeApiInbox(ctx.app, T.token);
    const pipeline = ctx.app.get(ChannelPipelineService);
    // Submitted in one turn, in this order: one batch, one transaction, one now() for all ten.
    const { result, calls } = await recordIngestCalls(ctx.database, () =>
      requestContext.run({ tenantId: T.tenant.id }, () =>
        Promise.all(
          Array.from({ length: 10 }, (_, k) =>
            pipeline.ingest({
              channelId: inbox.id,
              channelType: 'api',
              contact: { identifier: 'in-order' },
              providerMessageId: `in-order-${k}`,
              type: 'text',
              content: { text: `m${k}` },
            }),
          ),
        ),
      ),
    );
    expect(calls.batches.map((b) => b.length)).toEqual([10]);
    expect(new Set(result.map((r) => r.conversation.id)).size).toBe(1);
    const { rows } = await ctx.database.unsafe.execute<{ text: string; at: string }>(
      sql`select content->>'text' as text, created_at::text as at from messages
          where tenant_id = ${T.tenant.id} order by created_at, id`,
    );
    expect(rows.map((r) => r.text)).toEqual(Array.from({ length: 10 }, (_, k) => `m${k}`));
    expect(new Set(rows.map((r) => r.at)).size).toBe(10);
  });

  it('a message that fails inside a batch fails alone; the others of its batch are stored', async () => {
    const T = await makeTenantWithUser(ctx.app, ctx.database, 'ADMIN');
    const inbox = await makeApiInbox(ctx.app, T.token);
    // A database-side failure for one message only (as a broken row or a deadlock would be).
    await ctx.database.pool.query(`
      create or replace function test_refuse_poison() returns trigger language plpgsql as $$
      begin
        if new.content->>'text' = 'poison' then raise exception 'refused by test trigger'; end if;
        return new;
      end $$;
      drop trigger if exists test_refuse_poison on messages;
      create trigger test_refuse_poison before insert on messages
        for each row execute function test_refuse_poison();`);
    try {
      // One sender's burst (one lane, so the later ones queue up and go out as a batch) with a poisoned
      // message in the middle, and a new sender whose only message is poisoned.
      const texts = Array.from({ length: 20 }, (_, i) => (i === 10 ? 'poison' : `m${i}`));
      const { result: results, calls } = await recordIngestCalls(ctx.database, () =>
        Promise.all([
          ...texts.map((text, i) =>
            inbound(ctx.app, inbox.id, inbox.secret, textFrom('steady', text, `steady-${i}`)),
          ),
          inbound(ctx.app, inbox.id, inbox.secret, textFrom('newcomer', 'poison', 'newcomer-1')),
        ]),
      );
      expect(calls.batches.length).toBeGreaterThan(0);
      expect(results.map((r) => r.status)).toEqual([...texts.map((t) => (t === 'poison' ? 500 : 200)), 500]);
      expect(await count('messages', T.tenant.id)).toBe(19);
      // Nothing of a failed message was half written: no contact or conversation for the newcomer.
      expect(await count('contacts', T.tenant.id)).toBe(1);
      expect(await count('conversations', T.tenant.id)).toBe(1);
      const { rows } = await ctx.database.unsafe.execute<{ text: string }>(
        sql`select content->>'text' as text from messages where tenant_id = ${T.tenant.id}`,
      );
      expect(rows.map((r) => r.text).sort()).toEqual(texts.filter((t) => t !== 'poison').sort());
    } finally {
      await ctx.database.pool.query(
        'drop trigger if exists test_refuse_poison on messages; drop function if exists test_refuse_poison()',
      );
    }
  });

  it("stores two workspaces' messages in one batch, each under its own tenant", async () => {
    const A = await makeTenantWithUser(ctx.app, ctx.database, 'ADMIN');
    const B = await makeTenantWithUser(ctx.app, ctx.database, 'ADMIN');
    const inboxA = await makeApiInbox(ctx.app, A.token);
    const inboxB = await makeApiInbox(ctx.app, B.token);
    const pipeline = ctx.app.get(ChannelPipelineService);
    const send = (tenantId: string, inboxId: string, k: number) =>
      requestContext.run({ tenantId }, () =>
        pipeline.ingest({
          channelId: inboxId,
          channelType: 'api',
          // The same addresses in both workspaces: each gets its own contacts.
          contact: { identifier: `shared-${k % 5}` },
          providerMessageId: `mixed-${k}`,
          type: 'text',
          content: { text: `for ${tenantId}` },
        }),
      );
    const { calls } = await recordIngestCalls(ctx.database, () =>
      Promise.all(
        Array.from({ length: 20 }, (_, k) =>
          k % 2 ? send(A.tenant.id, inboxA.id, k) : send(B.tenant.id, inboxB.id, k),
        ),
      ),
    );
    expect(calls.batches.some((b) => new Set(b.map((i) => i.tenant)).size === 2)).toBe(true);
    for (const [T, inbox] of [
      [A, inboxA],
      [B, inboxB],
    ] as const) {
      expect(await count('messages', T.tenant.id)).toBe(10);
      expect(await count('contacts', T.tenant.id)).toBe(5);
      const { rows } = await ctx.database.unsafe.execute<{ bad: number }>(
        sql`select count(*)::int as bad from messages m
            join conversations c on c.id = m.conversation_id
            join contacts p on p.id = c.contact_id
            where m.channel_id = ${inbox.id}
              and (m.tenant_id <> ${T.tenant.id} or c.tenant_id <> ${T.tenant.id} or p.tenant_id <> ${T.tenant.id}
                   or m.content->>'text' <> ${`for ${T.tenant.id}`})`,
      );
      expect(rows[0]!.bad).toBe(0);
    }
  });
});
