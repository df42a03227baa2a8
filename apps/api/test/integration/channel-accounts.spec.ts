import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unprocessable } from '../../src/common/http/errors.js';
import { requestContext } from '../../src/common/tenancy/request-context.js';
import { ChannelPipelineService } from '../../src/modules/channels/channel-pipeline.service.js';
import {
  ChannelTypeRegistry,
  hashWebhookToken,
  type ChannelTypeContext,
  type ChannelTypeHandler,
} from '../../src/modules/channels/channel-type.js';
import { InboundChannelCache } from '../../src/modules/channels/inbound-channel-cache.js';
import { login, makeTenantWithUser, makeUser } from '../support/factories.js';
import { makeApiInbox } from '../support/inbox.js';
import { http, startTestApp, type TestContext } from '../support/test-app.js';

/**
 * The channel-account seam, with a handler registered by the test for the `whatsapp_qr` type when no real one is
 * (the real adapters have their own specs under test/channels): what ChannelsService does with any handler.
 */
describe('channel accounts (type registry)', () => {
  let ctx: TestContext;
  let A: Awaited<ReturnType<typeof makeTenantWithUser>>;
  let B: Awaited<ReturnType<typeof makeTenantWithUser>>;
  const calls: string[] = [];
  let refuseConnect = false;

  /** A provider type whose "provider" is this object: routes by config.accountId, generated token, connect log. */
  const handler: ChannelTypeHandler = {
    type: 'twilio_sms',
    externalId: (config) => String(config.phoneNumber),
    generateSecrets: () => ({ pathToken: `tok-${Math.random().toString(36).slice(2)}` }),
    webhookToken: (secrets) => secrets.pathToken,
    webhookUrl: ({ publicUrl, secrets }: ChannelTypeContext) => `${publicUrl}/hooks/${secrets.pathToken}`,
    details: ({ row }) => ({ number: row.config.phoneNumber }),
    test: ({ secrets }) =>
      Promise.resolve(
        secrets.authToken === 'good-auth-token-123456'
          ? { ok: true, message: 'Connected' }
          : { ok: false, message: 'The auth token was rejected' },
      ),
    connect: ({ row }) => {
      calls.push(`connect ${row.id}`);
      if (refuseConnect) throw unprocessable('The provider refused the credentials');
      return Promise.resolve({ state: { linked: true } });
    },
    disconnect: ({ row }) => {
      calls.push(`disconnect ${row.id}`);
      return Promise.resolve();
    },
  };

  const account = (phoneNumber: string, authToken = 'good-auth-token-123456') => ({
    type: 'twilio_sms',
    name: `SMS ${phoneNumber}`,
    config: { accountSid: `AC${'a'.repeat(32)}`, phoneNumber },
    credentials: { authToken },
  });

  beforeAll(async () => {
    ctx = await startTestApp({ env: { PUBLIC_URL: 'https://desk.example.test/' } });
    const registry = ctx.app.get(ChannelTypeRegistry);
    // The real Twilio handler, when its module registers one, is replaced for this file only.
    (registry as unknown as { handlers: Map<string, ChannelTypeHandler> }).handlers.set(
      'twilio_sms',
      handler,
    );
    A = await makeTenantWithUser(ctx.app, ctx.database, 'ADMIN');
    B = await makeTenantWithUser(ctx.app, ctx.database, 'ADMIN');
  });
  afterAll(() => ctx?.close());

  const storedRow = async (id: string) =>
    (
      await ctx.database.unsafe.execute<Record<string, any>>(
        sql`select credentials, external_id, webhook_token_hash, state from channels where id = ${id}`,
      )
    ).rows[0];

  it('creates a provider account: credentials sealed, masked to the last 4, routing columns, webhook URL', async () => {
    const res = await http(ctx.app, 'POST', '/api/v1/channels', {
      token: A.token,
      body: account('+14155550100'),
    });
    expect(res.status).toBe(201);
    expect(res.body.secret).toBeUndefined();
    expect(res.body.credentials.authToken).toBe('********3456');
    expect(res.body.credentials.pathToken).toMatch(/^\*{8}.{4}$/);
    expect(res.body.webhookUrl).toMatch(/^https:\/\/desk\.example\.test\/hooks\/tok-/);
    expect(res.body.details).toEqual({ number: '+14155550100' });
    const row = await storedRow(res.body.id);
    expect(row!.credentials).not.toContain('good-auth-token');
    expect(row!.external_id).toBe('+14155550100');
    expect(row!.state).toEqual({ linked: true });
    expect(calls).toContain(`connect ${res.body.id}`);
    // The webhook token routes to the inbox through its hash, never stored in the clear.
    const token = res.body.webhookUrl.split('/hooks/')[1];
    expect(row!.webhook_token_hash).toBe(hashWebhookToken(token));
    const cache = ctx.app.get(InboundChannelCache);
    expect((await cache.findByWebhookTokenHash(hashWebhookToken(token)))?.id).toBe(res.body.id);
    expect((await cache.findByExternalId('twilio_sms', '+14155550100'))?.id).toBe(res.body.id);
    expect(await cache.findByExternalId('whatsapp', '+14155550100')).toBeUndefined();
  });

  it('checks config and credentials against the type, naming the field', async () => {
    const bad = await http(ctx.app, 'POST', '/api/v1/channels', {
      token: A.token,
      body: { ...account('12345'), credentials: { authToken: 'short' } },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/config\.phoneNumber/);
    expect(bad.body.message).toMatch(/credentials\.authToken/);
    const unknownType = await http(ctx.app, 'POST', '/api/v1/channels', {
      token: A.token,
      body: { ...account('+14155550101'), type: 'fax' },
    });
    expect(unknownType.status).toBe(400);
  });

  it('refuses a second inbox for the same provider account, in any workspace (409), keeping the first', async () => {
    const again = await http(ctx.app, 'POST', '/api/v1/channels', {
      token: B.token,
      body: account('+14155550100'),
    });
    expect(again.status).toBe(409);
    expect(again.body.message).toMatch(/already connected/);
    const list = await http(ctx.app, 'GET', '/api/v1/channels', { token: A.token });
    expect(list.body.items.filter((c: any) => c.config.phoneNumber === '+14155550100')).toHaveLength(1);
  });

  it('undoes a create the provider refuses (422), leaving no inbox', async () => {
    refuseConnect = true;
    try {
      const res = await http(ctx.app, 'POST', '/api/v1/channels', {
        token: A.token,
        body: account('+14155550199'),
      });
      expect(res.status).toBe(422);
      expect(res.body.message).toBe('The provider refused the credentials');
    } finally {
      refuseConnect = false;
    }
    const { rows } = await ctx.database.unsafe.execute(
      sql`select id from channels where external_id = '+14155550199'`,
    );
    expect(rows).toHaveLength(0);
  });

  it('updates: config checked against the type, credentials merged, connect re-run; bad input keeps the row', async () => {
    const created = await http(ctx.app, 'POST', '/api/v1/channels', {
      token: A.token,
      body: account('+14155550102'),
    });
    const id = created.body.id;
    const before = await storedRow(id);

    const badConfig = await http(ctx.app, 'PATCH', `/api/v1/channels/${id}`, {
      token: A.token,
      body: { config: { accountSid: 'nope', phoneNumber: '+14155550102' } },
    });
    expect(badConfig.status).toBe(400);
    expect(badConfig.body.message).toMatch(/body\.config\.accountSid/);
    const badCreds = await http(ctx.app, 'PATCH', `/api/v1/channels/${id}`, {
      token: A.token,
      body: { credentials: { unknown: 'x' } },
    });
    expect(badCreds.status).toBe(400);
    expect(await storedRow(id)).toEqual(before);

    // The provider refuses the new credentials: 422, and the inbox keeps the ones that worked.
    refuseConnect = true;
    try {
      const refused = await http(ctx.app, 'PATCH', `/api/v1/channels/${id}`, {
        token: A.token,
        body: { name: 'Renamed', credentials: { authToken: 'refused-auth-token-0000' } },
      });
      expect(refused.status).toBe(422);
    } finally {
      refuseConnect = false;
    }
    expect(await storedRow(id)).toEqual(before);
    expect((await http(ctx.app, 'GET', `/api/v1/channels/${id}`, { token: A.token })).body.name).toBe(
      'SMS +14155550102',
    );

    calls.length = 0;
    const changed = await http(ctx.app, 'PATCH', `/api/v1/channels/${id}`, {
      token: A.token,
      body: { credentials: { authToken: 'rotated-auth-token-9999' } },
    });
    expect(changed.status).toBe(200);
    expect(changed.body.credentials.authToken).toBe('********9999');
    // The generated token survived the merge: the webhook URL is unchanged.
    expect(changed.body.webhookUrl).toBe(created.body.webhookUrl);
    expect(calls).toEqual([`connect ${id}`]);

    const test = await http(ctx.app, 'POST', `/api/v1/channels/${id}/test`, { token: A.token });
    expect(test.status).toBe(200);
    expect(test.body).toEqual({ ok: false, message: 'The auth token was rejected' });

    calls.length = 0;
    await http(ctx.app, 'PATCH', `/api/v1/channels/${id}`, { token: A.token, body: { isActive: false } });
    expect(calls).toEqual([`disconnect ${id}`]);
    const removed = await http(ctx.app, 'DELETE', `/api/v1/channels/${id}`, { token: A.token });
    expect(removed.status).toBe(200);
    expect(calls).toEqual([`disconnect ${id}`, `disconnect ${id}`]);
  });

  it('an api inbox tests itself and is only visible to its workspace', async () => {
    const inbox = await makeApiInbox(ctx.app, A.token);
    const test = await http(ctx.app, 'POST', `/api/v1/channels/${inbox.id}/test`, { token: A.token });
    expect(test.body.ok).toBe(true);
    const other = await http(ctx.app, 'POST', `/api/v1/channels/${inbox.id}/test`, { token: B.token });
    expect(other.status).toBe(404);
  });

  it('every user of the workspace lists the inboxes by name and type, without config or secrets', async () => {
    const agent = await makeUser(ctx.database, A.tenant.id, { role: 'AGENT' });
    const { token } = await login(ctx.app, agent.email);
    const inbox = await makeApiInbox(ctx.app, A.token, { name: 'Listed inbox' });
    const res = await http(ctx.app, 'GET', '/api/v1/inboxes', { token });
    expect(res.status).toBe(200);
    expect(res.body.items).toContainEqual({
      id: inbox.id,
      type: 'api',
      name: 'Listed inbox',
      isActive: true,
    });
    expect(JSON.stringify(res.body)).not.toMatch(/callbackUrl|credentials|secret/);
    expect((await http(ctx.app, 'GET', '/api/v1/channels', { token })).status).toBe(403);
    const other = await http(ctx.app, 'GET', '/api/v1/inboxes', { token: B.token });
    expect(other.body.items.map((i: { id: string }) => i.id)).not.toContain(inbox.id);
  });

  describe('pipeline threading and echoes', () => {
    let inboxId: string;
    const ingest = (extra: Record<string, unknown>, text: string) =>
      requestContext.run({ tenantId: A.tenant.id }, () =>
        ctx.app.get(ChannelPipelineService).ingest({
          channelId: inboxId,
          channelType: 'email',
          contact: { identifier: 'ann@example.test', email: 'ann@example.test' },
          type: 'text',
          content: { text },
          ...extra,
        }),
      );

    beforeAll(async () => {
      inboxId = (await makeApiInbox(ctx.app, A.token)).id;
    });

    it('newConversation starts a new one; conversationId continues that one, even when resolved', async () => {
      const first = await ingest({ providerMessageId: '<a@x>' }, 'first thread');
      const second = await ingest({ providerMessageId: '<b@x>', newConversation: true }, 'second thread');
      expect(second.conversation.id).not.toBe(first.conversation.id);
      expect(second.conversation.number).toBe(first.conversation.number + 1);

      await http(ctx.app, 'PATCH', `/api/v1/conversations/${first.conversation.id}`, {
        token: A.token,
        body: { status: 'resolved' },
      });
      const reply = await ingest(
        { providerMessageId: '<c@x>', conversationId: first.conversation.id },
        'reply in first',
      );
      expect(reply.conversation.id).toBe(first.conversation.id);
      expect(reply.conversation.status).toBe('open');
      // Without a thread: the contact's latest conversation.
      const plain = await ingest({ providerMessageId: '<d@x>' }, 'no thread');
      expect(plain.conversation.id).toBe(second.conversation.id);
    });

    it('a conversationId of another contact or inbox starts a new conversation instead', async () => {
      const other = await makeApiInbox(ctx.app, A.token);
      const foreign = await requestContext.run({ tenantId: A.tenant.id }, () =>
        ctx.app.get(ChannelPipelineService).ingest({
          channelId: other.id,
          channelType: 'api',
          contact: { identifier: 'bob' },
          type: 'text',
          content: { text: 'elsewhere' },
        }),
      );
      const res = await ingest({ conversationId: foreign.conversation.id }, 'wrong thread');
      expect(res.conversation.id).not.toBe(foreign.conversation.id);
      expect(res.conversation.contactId).not.toBe(foreign.conversation.contactId);
    });

    it('an echo is stored as sent by the business: not unread, the wait cleared', async () => {
      const incoming = await ingest({ providerMessageId: '<e@x>', newConversation: true }, 'question');
      expect(incoming.conversation.unreadCount).toBe(1);
      expect(incoming.conversation.waitingSince).not.toBeNull();
      const echo = await ingest(
        { providerMessageId: '<f@x>', conversationId: incoming.conversation.id, direction: 'out' },
        'answered from the phone',
      );
      expect(echo.message).toMatchObject({ direction: 'out', status: 'sent', senderType: 'user' });
      expect(echo.conversation.unreadCount).toBe(1);
      expect(echo.conversation.waitingSince).toBeNull();
      expect(echo.conversation.lastMessagePreview).toBe('answered from the phone');
      // Our own send coming back as an echo (same provider id) is a duplicate, stored once.
      const again = await ingest(
        { providerMessageId: '<f@x>', conversationId: incoming.conversation.id, direction: 'out' },
        'answered from the phone',
      );
      expect(again.duplicate).toBe(true);
    });
  });
});
