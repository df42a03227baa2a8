import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requestContext } from '../../src/common/tenancy/request-context.js';
import { ChannelPipelineService } from '../../src/modules/channels/channel-pipeline.service.js';
import { makeTenantWithUser } from '../support/factories.js';
import { recordIngestCalls } from '../support/ingest-calls.js';
import { countTenantRows, inbound, makeApiInbox, textFrom } from '../support/inbox.js';
import { startTestApp, type TestContext } from '../support/test-app.js';

/** Group commit of inbound messages (ChannelPipelineRepository + inbound_ingest_batch, migration 0024). */
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
    // Fewer transactions than messages: several messages went in one inbound_ingest_batch call.
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
    // The first round makes the contacts (one message at a time inside the batches); in the second every sender
    // is known, so each workspace's part of a batch is stored by the set-based statements, under its own tenant.
    for (const round of [0, 1]) {
      const { calls } = await recordIngestCalls(ctx.database, () =>
        Promise.all(
          Array.from({ length: 20 }, (_, i) => {
            const k = round * 20 + i;
            return k % 2 ? send(A.tenant.id, inboxA.id, k) : send(B.tenant.id, inboxB.id, k);
          }),
        ),
      );
      expect(calls.batches.some((b) => new Set(b.map((i) => i.tenant)).size === 2)).toBe(true);
    }
    for (const [T, inbox] of [
      [A, inboxA],
      [B, inboxB],
    ] as const) {
      expect(await count('messages', T.tenant.id)).toBe(20);
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

  it('stores known senders set-based, with the outcomes and rows that one message at a time gives', async () => {
    // Two workspaces with the same history; then the same deliveries, one at a time in A (inbound_ingest) and as
    // one batch in B (inbound_ingest_batch). Both must end the same, item by item.
    const A = await makeTenantWithUser(ctx.app, ctx.database, 'ADMIN');
    const B = await makeTenantWithUser(ctx.app, ctx.database, 'ADMIN');
    const inboxA = await makeApiInbox(ctx.app, A.token);
    const inboxB = await makeApiInbox(ctx.app, B.token);
    type Extra = { name?: string | null; direction?: 'in' | 'out'; newConversation?: boolean };
    const item = (
      tenant: string,
      channelId: string,
      who: string,
      pid: string,
      text: string,
      x: Extra = {},
    ) => ({
      tenant,
      msg: {
        channelId,
        channelType: 'api',
        providerMessageId: pid,
        type: 'text',
        content: { text },
        preview: text,
        sentAt: null,
        conversationId: null,
        newConversation: x.newConversation ?? false,
        direction: x.direction ?? 'in',
        contact: { identifier: who, name: x.name === undefined ? 'Known' : x.name, phone: null, email: null },
      },
    });
    const one = async (it: ReturnType<typeof item>) =>
      (
        await ctx.database.pool.query<{ r: Record<string, unknown> }>('select inbound_ingest($1, $2) as r', [
          it.tenant,
          JSON.stringify(it.msg),
        ])
      ).rows[0]!.r;
    const history: [string, string, Extra?][] = [
      ['k1', 'h-k1'],
      ['k2', 'h-k2'],
      ['k3', 'h-k3'],
      ['resolved', 'h-resolved'],
      ['snoozed', 'h-snoozed'],
      ['dup', 'dup-old'],
      ['nameless', 'h-nameless', { name: null }],
      ['echo', 'h-echo'],
      ['thread', 'h-thread'],
    ];
    for (const [T, inbox] of [
      [A, inboxA],
      [B, inboxB],
    ] as const) {
      for (const [who, pid, x] of history) await one(item(T.tenant.id, inbox.id, who, pid, `was ${who}`, x));
      await ctx.database.pool.query(
        `update conversations c set status = case i.identifier when 'resolved' then 'resolved' else 'snoozed' end,
           snoozed_until = case i.identifier when 'snoozed' then now() + interval '1 hour' end
         from contact_identities i
         where i.contact_id = c.contact_id and c.tenant_id = $1 and i.identifier in ('resolved', 'snoozed')`,
        [T.tenant.id],
      );
    }
    const deliveries: [string, string, Extra?][] = [
      ['k1', 'b-1'],
      ['new', 'b-2'],
      ['resolved', 'b-3'],
      ['k1', 'b-4'],
      ['dup', 'dup-old'],
      ['k2', 'b-5'],
      ['k3', 'b-6'],
      ['snoozed', 'b-7'],
      ['nameless', 'b-8', { name: 'Named now' }],
      ['resolved', 'b-9'],
      ['echo', 'b-10', { direction: 'out' }],
      ['k3', 'b-6'],
      ['new', 'b-11'],
      ['thread', 'b-12', { newConversation: true }],
      ['dup', 'b-13'],
      ['k1', 'b-14'],
    ];
    const sequential = [];
    for (const [k, [who, pid, x]] of deliveries.entries()) {
      sequential.push(await one(item(A.tenant.id, inboxA.id, who, pid, `m${k}`, x)));
    }
    const client = await ctx.database.pool.connect();
    let batched: Record<string, unknown>[];
    let singleCalls: number;
    try {
      await client.query('begin');
      await client.query(`set local track_functions = 'pl'`);
      batched = (
        await client.query<{ r: Record<string, unknown> }>('select r from inbound_ingest_batch($1) r', [
          JSON.stringify(
            deliveries.map(([who, pid, x], k) => item(B.tenant.id, inboxB.id, who, pid, `m${k}`, x)),
          ),
        ])
      ).rows.map((row) => row.r);
      singleCalls = (
        await client.query<{ n: number }>(
          `select coalesce(sum(calls), 0)::int as n from pg_stat_xact_user_functions where funcname = 'inbound_ingest'`,
        )
      ).rows[0]!.n;
      await client.query('commit');
    } finally {
      client.release();
    }
    // Set-based: k1 ×3, k2, resolved ×2, snoozed. One at a time: the new sender ×2, the duplicate's sender ×2
    // (one item already stored), k3 ×2 (its provider id twice), the nameless contact, the echo, the new thread.
    expect(singleCalls).toBe(9);

    const outcome = (r: Record<string, unknown>) => {
      const m = r.message as Record<string, unknown>;
      const c = r.conversation as Record<string, unknown>;
      return {
        flags: [r.duplicate, r.conversationCreated, r.conversationReopened, r.contactCreated],
        message: [
          (m.content as { text: string }).text,
          m.direction,
          m.status,
          m.provider_message_id,
          m.sender_type,
        ],
        conversation: [c.number, c.status, c.snoozed_until, c.unread_count, c.last_message_preview],
        waiting: c.waiting_since !== null,
        lastIsThis: r.duplicate || m.direction === 'out' || c.last_message_at === m.created_at,
      };
    };
    expect(batched.map(outcome)).toEqual(sequential.map(outcome));
    expect(batched.every((r) => outcome(r).lastIsThis)).toBe(true);

    const state = async (tenantId: string) => ({
      messages: (
        await ctx.database.unsafe.execute(
          sql`select c.number, m.content->>'text' as text, m.direction, m.status, m.provider_message_id,
                m.sender_type, m.sender_id is not null as has_sender
              from messages m join conversations c on c.id = m.conversation_id
              where m.tenant_id = ${tenantId} order by c.number, m.created_at, m.id`,
        )
      ).rows,
      conversations: (
        await ctx.database.unsafe.execute(
          sql`select c.number, c.status, c.snoozed_until is null as awake, c.unread_count, c.last_message_preview,
                c.waiting_since is not null as waiting, c.last_inbound_at is not null as inbound,
                c.last_message_at = (select max(m.created_at) from messages m where m.conversation_id = c.id) as last,
                (select count(distinct m.created_at) = count(*) from messages m where m.conversation_id = c.id) as ordered
              from conversations c where c.tenant_id = ${tenantId} order by c.number`,
        )
      ).rows,
      contacts: (
        await ctx.database.unsafe.execute(
          sql`select name from contacts where tenant_id = ${tenantId} order by name nulls first`,
        )
      ).rows,
    });
    const [stateA, stateB] = [await state(A.tenant.id), await state(B.tenant.id)];
    expect(stateB).toEqual(stateA);
    expect(stateB.conversations.every((c) => c.last && c.ordered)).toBe(true);
    expect(
      stateB.messages.filter((m) => m.text === 'm0' || m.text === 'm3' || m.text === 'm15'),
    ).toHaveLength(3);
  });
});
