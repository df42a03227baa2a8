import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AI_SERVICE_AUDIENCE } from '../../src/common/ai/internal-jwt.js';
import { DomainEvents, type DomainEventMap } from '../../src/common/events/domain-events.js';
import { startWorker, type RunningWorker } from '../../src/worker.js';
import { edge, helloGraph, node } from '../flows/graphs.js';
import { eventually } from '../support/eventually.js';
import { makeTenantWithUser } from '../support/factories.js';
import { inbound, makeApiInbox } from '../support/inbox.js';
import { http, startTestApp, type TestContext } from '../support/test-app.js';
import { makeAgent, messagesOf, toolToken } from './chat-agents-harness.js';

const ALL_TOOLS = ['lookup_crm', 'update_contact', 'book_appointment', 'trigger_flow', 'update_conversation'];

/** The AI service's tool callbacks, called here as it calls them: POST with the turn's bearer token. */
describe('AI tool callbacks', () => {
  let ctx: TestContext;
  let worker: RunningWorker;

  /** A workspace with an inbox, a tools agent and a contact who wrote once. */
  async function workspace(name: string) {
    const admin = await makeTenantWithUser(ctx.app, ctx.database, 'ADMIN');
    const inbox = await makeApiInbox(ctx.app, admin.token);
    const agent = await makeAgent(ctx, admin.token, { name: `${name} bot`, mode: 'tools', tools: ALL_TOOLS });
    const res = await inbound(ctx.app, inbox.id, inbox.secret, {
      contact: { identifier: `${name}-contact`, name: `${name} Customer`, email: `${name}@customer.test` },
      message: { type: 'text', content: { text: 'hello' } },
    });
    expect(res.status).toBe(200);
    const conversationId = res.body.conversationId as string;
    const contactId = (
      await ctx.database.unsafe.execute<{ contact_id: string }>(
        sql`select contact_id from conversations where id = ${conversationId}`,
      )
    ).rows[0]!.contact_id;
    const claims = {
      tenantId: admin.tenant.id,
      agentId: agent.id,
      conversationId,
      contactId,
      tools: ALL_TOOLS,
    };
    return { ...admin, inbox, agent, conversationId, contactId, claims };
  }
  type Workspace = Awaited<ReturnType<typeof workspace>>;
  let A: Workspace;
  let B: Workspace;

  const call = async (tool: string, body: unknown, token: string | undefined) =>
    http(ctx.app, 'POST', `/api/v1/internal/ai-tools/${tool}`, {
      body,
      headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
    });
  const tokenFor = (w: Workspace, overrides: Partial<Workspace['claims']> = {}, ttl = 300) =>
    toolToken(ctx.config.INTERNAL_JWT_SECRET, { ...w.claims, ...overrides }, ttl);
  const contactRow = async (id: string) =>
    (
      await ctx.database.unsafe.execute<{
        name: string | null;
        email: string | null;
        tags: string[];
        custom_fields: Record<string, unknown>;
      }>(sql`select name, email, tags, custom_fields from contacts where id = ${id}`)
    ).rows[0]!;

  beforeAll(async () => {
    ctx = await startTestApp();
    worker = await startWorker(ctx.config);
    A = await workspace('a');
    B = await workspace('b');
  });
  afterAll(async () => {
    await worker?.close();
    await ctx?.close();
  });

  describe('who may call', () => {
    it('refuses a missing, malformed, wrongly signed, other-audience or expired token with 401', async () => {
      const good = await tokenFor(A);
      const expired = await tokenFor(A, {}, 1);
      const forged = await toolToken('another-secret-0123456789abcdef0123456789', A.claims);
      const otherAudience = await toolToken(
        ctx.config.INTERNAL_JWT_SECRET,
        A.claims,
        300,
        AI_SERVICE_AUDIENCE,
      );
      const { contactId: _omitted, ...withoutContact } = A.claims;
      const incomplete = await toolToken(ctx.config.INTERNAL_JWT_SECRET, withoutContact as typeof A.claims);
      await new Promise((r) => setTimeout(r, 1_100));

      const missing = await call('lookup_crm', {}, undefined);
      expect(missing.status).toBe(401);
      expect(missing.body.message).toContain('Bearer');
      const basic = await http(ctx.app, 'POST', '/api/v1/internal/ai-tools/lookup_crm', {
        body: {},
        headers: { authorization: `Basic ${good}` },
      });
      expect(basic.status).toBe(401);
      for (const token of ['not-a-jwt', forged, otherAudience, expired, incomplete]) {
        const res = await call('lookup_crm', {}, token);
        expect(res.status).toBe(401);
        expect(res.body.message).toBe('The tool token is invalid or has expired');
      }
      // The same call with the good token passes: the refusals were about the token.
      expect((await call('lookup_crm', {}, good)).body.ok).toBe(true);
    });

    it('refuses a tool the token does not grant (or no tool at all) with 403, and runs nothing', async () => {
      const lookupOnly = await tokenFor(A, { tools: ['lookup_crm'] });
      const res = await call('update_contact', { name: 'Mallory' }, lookupOnly);
      expect(res.status).toBe(403);
      expect(res.body.message).toBe('This agent is not allowed to use the tool "update_contact"');
      expect((await contactRow(A.contactId)).name).toBe('a Customer');
      const unknown = await call(
        'drop_tables',
        {},
        await tokenFor(A, { tools: [...ALL_TOOLS, 'drop_tables'] }),
      );
      expect(unknown.status).toBe(403);
    });

    it("acts only on the token's own tenant, contact and conversation", async () => {
      const before = await contactRow(B.contactId);
      // A's token naming B's conversation or contact: in A's tenant those rows do not exist.
      for (const overrides of [
        { conversationId: B.conversationId },
        { contactId: B.contactId },
        { conversationId: B.conversationId, contactId: B.contactId },
      ]) {
        const res = await call('update_contact', { name: 'Hijacked' }, await tokenFor(A, overrides));
        expect(res.status).toBe(200);
        expect(res.body).toEqual({
          ok: false,
          result: null,
          error: 'This conversation or contact no longer exists',
        });
      }
      // Ids in the body are not arguments of any tool.
      const smuggled = await call(
        'update_contact',
        { name: 'Hijacked', contactId: B.contactId },
        await tokenFor(A),
      );
      expect(smuggled.body.ok).toBe(false);
      expect(smuggled.body.error).toContain('Invalid arguments');
      expect(await contactRow(B.contactId)).toEqual(before);
      expect((await contactRow(A.contactId)).name).toBe('a Customer');
    });
  });

  describe('arguments', () => {
    it('answers arguments that do not fit the tool with 200 and ok:false saying why; a non-object body is a 400', async () => {
      const token = await tokenFor(A);
      const bad = await call('book_appointment', { startsAt: 'tomorrow' }, token);
      expect(bad.status).toBe(200);
      expect(bad.body.ok).toBe(false);
      expect(bad.body.error).toMatch(/^Invalid arguments: startsAt: /);
      const empty = await call('update_contact', {}, token);
      expect(empty.body).toMatchObject({ ok: false, error: expect.stringContaining('Nothing to update') });
      const array = await call('update_contact', ['x'], token);
      expect(array.status).toBe(400);
    });
  });

  describe('the tools', () => {
    it('lookup_crm: the contact, recent conversations and upcoming appointments', async () => {
      const token = await tokenFor(A);
      const future = new Date(Date.now() + 2 * 86_400_000).toISOString();
      expect((await call('book_appointment', { startsAt: future, title: 'Demo' }, token)).body.ok).toBe(true);
      const res = await call('lookup_crm', {}, token);
      expect(res.status).toBe(200);
      expect(res.body.ok).toBe(true);
      expect(res.body.result.contact).toEqual({
        name: 'a Customer',
        phone: null,
        email: 'a@customer.test',
        tags: [],
        customFields: {},
        optedIn: false,
      });
      expect(res.body.result.recentConversations).toEqual([
        expect.objectContaining({ status: 'open', channelType: 'api', lastMessagePreview: 'hello' }),
      ]);
      expect(res.body.result.upcomingAppointments).toEqual([
        { title: 'Demo', startsAt: future, durationMinutes: 30, notes: null },
      ]);
    });

    it('update_contact: adds tags, merges custom fields, through the contacts rules (events, audit, unique email)', async () => {
      const seen: DomainEventMap['contact.updated'][] = [];
      const off = ctx.app.get(DomainEvents).on('contact.updated', (e) => void seen.push(e));
      const token = await tokenFor(A);
      expect(
        (await call('update_contact', { tags: ['vip'], customFields: { plan: 'pro' } }, token)).body.ok,
      ).toBe(true);
      const res = await call(
        'update_contact',
        { name: 'Ada', email: 'Ada@Example.TEST', tags: ['vip', 'beta'], customFields: { seats: 3 } },
        token,
      );
      expect(res.body).toMatchObject({
        ok: true,
        result: { contact: { name: 'Ada', email: 'ada@example.test', tags: ['vip', 'beta'] } },
      });
      expect(await contactRow(A.contactId)).toEqual({
        name: 'Ada',
        email: 'ada@example.test',
        tags: ['vip', 'beta'],
        custom_fields: { plan: 'pro', seats: 3 },
      });
      await eventually(() => expect(seen.map((e) => e.addedTags)).toEqual([['vip'], ['beta']]));
      off();
      const audit = await ctx.database.unsafe.execute<{ actor_type: string }>(
        sql`select actor_type from audit_logs where tenant_id = ${A.tenant.id} and action = 'contact.updated'
            and entity_id = ${A.contactId}`,
      );
      expect(audit.rows.map((r) => r.actor_type)).toEqual(['system', 'system']);

      // Another contact of A has this email already: refused in words, nothing changed.
      const other = await inbound(ctx.app, A.inbox.id, A.inbox.secret, {
        contact: { identifier: 'a-other', email: 'taken@example.test' },
        message: { type: 'text', content: { text: 'hi' } },
      });
      expect(other.status).toBe(200);
      const taken = await call('update_contact', { email: 'taken@example.test' }, token);
      expect(taken.body).toEqual({
        ok: false,
        result: null,
        error: 'A contact with email taken@example.test already exists',
      });
      expect((await contactRow(A.contactId)).email).toBe('ada@example.test');
    });

    it('book_appointment: refuses a start in the past; books a future one as the agent, audited', async () => {
      const token = await tokenFor(A);
      const past = await call('book_appointment', { startsAt: '2020-01-01T10:00:00Z' }, token);
      expect(past.body.ok).toBe(false);
      expect(past.body.error).toBe('startsAt: 2020-01-01T10:00:00.000Z is in the past; choose a future time');

      const startsAt = new Date(Date.now() + 86_400_000).toISOString();
      const res = await call(
        'book_appointment',
        { startsAt, durationMinutes: 45, title: 'Fitting', notes: 'bring the receipt' },
        token,
      );
      expect(res.body.ok).toBe(true);
      expect(res.body.result.appointment).toMatchObject({
        contactId: A.contactId,
        conversationId: A.conversationId,
        title: 'Fitting',
        startsAt,
        durationMinutes: 45,
        notes: 'bring the receipt',
        createdBy: `agent:${A.agent.id}`,
      });
      const audit = await ctx.database.unsafe.execute<{
        entity_id: string;
        metadata: Record<string, unknown>;
      }>(
        sql`select entity_id, metadata from audit_logs where tenant_id = ${A.tenant.id}
            and action = 'appointment.created' and entity_id = ${res.body.result.appointment.id}`,
      );
      expect(audit.rows[0]?.metadata).toMatchObject({
        createdBy: `agent:${A.agent.id}`,
        contactId: A.contactId,
      });
    });

    it('trigger_flow: starts an active flow by name or id for the contact; refuses others', async () => {
      const token = await tokenFor(A);
      /** A manual flow of tenant A that sends `text`, as a draft. */
      const manualFlow = async (name: string, text: string) => {
        const res = await http(ctx.app, 'POST', '/api/v1/flows', {
          token: A.token,
          body: { name, trigger: { type: 'manual' }, graph: helloGraph(text) },
        });
        expect(res.status).toBe(201);
        return res;
      };
      const publish = async (flowId: string) =>
        expect(
          (await http(ctx.app, 'POST', `/api/v1/flows/${flowId}/publish`, { token: A.token })).status,
        ).toBe(200);
      const created = await manualFlow('Welcome Pack', 'Welcome, {{contact.name}}!');
      const draftOnly = await call('trigger_flow', { flowName: 'welcome pack' }, token);
      expect(draftOnly.body).toEqual({
        ok: false,
        result: null,
        error: 'The flow "Welcome Pack" is not active, so it cannot be started',
      });
      await publish(created.body.id);

      const res = await call('trigger_flow', { flowName: 'welcome pack' }, token);
      expect(res.body).toEqual({
        ok: true,
        result: { started: { flowId: created.body.id, name: 'Welcome Pack' } },
      });
      await eventually(async () => {
        const texts = (await messagesOf(ctx, A.conversationId)).filter((m) => m.direction === 'out');
        expect(texts.map((m) => m.text)).toContain('Welcome, Ada!');
      }, 10_000);

      // Variables become the session's {{vars}}.
      const withVars = await manualFlow('Order follow-up', 'Order {{vars.order}} ships {{vars.when}}.');
      await publish(withVars.body.id);
      const byId = await call(
        'trigger_flow',
        { flowId: withVars.body.id, variables: { order: 'A-1042', when: 'tomorrow' } },
        token,
      );
      expect(byId.body).toEqual({
        ok: true,
        result: {
          started: { flowId: withVars.body.id, name: 'Order follow-up', variables: ['order', 'when'] },
        },
      });
      await eventually(async () => {
        const texts = (await messagesOf(ctx, A.conversationId)).filter((m) => m.direction === 'out');
        expect(texts.map((m) => m.text)).toContain('Order A-1042 ships tomorrow.');
      }, 10_000);
      // Names a template could not read, and too many, are refused before anything starts.
      const badName = await call(
        'trigger_flow',
        { flowId: withVars.body.id, variables: { 'order-id': 1 } },
        token,
      );
      expect(badName.body.ok).toBe(false);
      expect(badName.body.error).toBe(
        'Invalid arguments: variables.order-id: not a variable name: must be letters, digits or _ (not starting with a digit)',
      );
      const tooMany = Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`v${i}`, i]));
      expect(
        (await call('trigger_flow', { flowId: withVars.body.id, variables: tooMany }, token)).body.error,
      ).toBe('Invalid arguments: variables: at most 20 variables');
      expect((await call('trigger_flow', { flowName: 'Nope' }, token)).body.error).toBe(
        'No flow is called "Nope"',
      );
      expect((await call('trigger_flow', {}, token)).body.error).toBe(
        'Name the flow: give flowId or flowName',
      );
      // B's flow is not A's.
      const ofB = await http(ctx.app, 'POST', '/api/v1/flows', {
        token: B.token,
        body: {
          name: 'B flow',
          trigger: { type: 'manual' },
          graph: { nodes: [node('start', 'trigger'), node('x', 'end')], edges: [edge('start', 'x')] },
        },
      });
      expect((await call('trigger_flow', { flowId: ofB.body.id }, token)).body.ok).toBe(false);
    });

    it('update_conversation: status, priority and added tags through the conversations service', async () => {
      const seen: DomainEventMap['conversation.updated'][] = [];
      const off = ctx.app.get(DomainEvents).on('conversation.updated', (e) => void seen.push(e));
      const token = await tokenFor(A);
      expect((await call('update_conversation', { addTags: ['billing'] }, token)).body.ok).toBe(true);
      const res = await call(
        'update_conversation',
        { status: 'pending', priority: 'high', addTags: ['billing', 'refund'] },
        token,
      );
      expect(res.body).toEqual({
        ok: true,
        result: {
          conversation: expect.objectContaining({
            status: 'pending',
            priority: 'high',
            tags: ['billing', 'refund'],
          }),
        },
      });
      await eventually(() =>
        expect(seen.filter((e) => e.conversation.id === A.conversationId).map((e) => e.changes)).toEqual([
          ['tags'],
          ['status', 'priority', 'tags'],
        ]),
      );
      off();
      expect((await call('update_conversation', {}, token)).body.ok).toBe(false);
    });
  });
});
