import { sql } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DomainEvents, type DomainEventMap } from '../../src/common/events/domain-events.js';
import { login, makeTenantWithUser, makeUser } from '../support/factories.js';
import { inbound, makeApiInbox, textFrom } from '../support/inbox.js';
import { onlineAgents, record } from '../support/online-agents.js';
import { http, startTestApp, type TestContext } from '../support/test-app.js';

describe('conversation assignment', () => {
  let ctx: TestContext;
  let sockets: Awaited<ReturnType<typeof onlineAgents>>;
  let A: Awaited<ReturnType<typeof makeTenantWithUser>>;
  let B: Awaited<ReturnType<typeof makeTenantWithUser>>;
  let plainInbox: Awaited<ReturnType<typeof makeApiInbox>>;
  let contactSeq = 0;

  type Agent = { id: string; token: string };
  const newAgent = async (tenantId = A.tenant.id): Promise<Agent> => {
    const user = await makeUser(ctx.database, tenantId, { role: 'AGENT' });
    return { id: user.id, token: (await login(ctx.app, user.email)).token };
  };
  const online = (agent: Agent) => sockets.connect(agent.token, A.tenant.id, agent.id);

  /** An inbox of A with round-robin on, these members and this cap. */
  async function autoInbox(members: Agent[], maxOpenPerAgent = 10, autoAssign = true) {
    const inbox = await makeApiInbox(ctx.app, A.token);
    const patched = await http(ctx.app, 'PATCH', `/api/v1/channels/${inbox.id}`, {
      token: A.token,
      body: { autoAssign, maxOpenPerAgent },
    });
    expect(patched.status).toBe(200);
    const put = await http(ctx.app, 'PUT', `/api/v1/channels/${inbox.id}/members`, {
      token: A.token,
      body: { userIds: members.map((m) => m.id) },
    });
    expect(put.status).toBe(200);
    return inbox;
  }
  /** A new contact writes: a new conversation. */
  async function arrive(inbox: { id: string; secret: string }, identifier = `contact-${++contactSeq}`) {
    const res = await inbound(ctx.app, inbox.id, inbox.secret, textFrom(identifier, 'hello'));
    expect(res.status).toBe(200);
    return res.body.conversationId as string;
  }
  const row = async (id: string) =>
    (
      await ctx.database.unsafe.execute<{
        assignee_id: string | null;
        team_id: string | null;
        status: string;
      }>(sql`select assignee_id, team_id, status from conversations where id = ${id}`)
    ).rows[0]!;
  const assigneeOf = async (id: string) => (await row(id)).assignee_id;
  const patch = (id: string, body: Record<string, unknown>, token = A.token) =>
    http(ctx.app, 'PATCH', `/api/v1/conversations/${id}`, { token, body });
  const notificationsOf = async (token: string) =>
    (await http(ctx.app, 'GET', '/api/v1/notifications', { token })).body.items as {
      type: string;
      conversationId: string;
      payload: Record<string, unknown>;
    }[];
  const sorted = (agents: Agent[]) => agents.map((a) => a.id).sort();

  beforeAll(async () => {
    ctx = await startTestApp();
    sockets = await onlineAgents(ctx);
    A = await makeTenantWithUser(ctx.app, ctx.database, 'ADMIN');
    B = await makeTenantWithUser(ctx.app, ctx.database, 'ADMIN');
    plainInbox = await makeApiInbox(ctx.app, A.token);
  });
  afterEach(() => sockets.closeAll());
  afterAll(async () => {
    await sockets?.closeAll();
    await ctx?.close();
  });

  describe('manual', () => {
    it('the assignee must be an active user of the workspace, the team a team of it', async () => {
      const id = await arrive(plainInbox);
      const inactive = await makeUser(ctx.database, A.tenant.id, { isActive: false });
      const teamOfB = (
        await http(ctx.app, 'POST', '/api/v1/teams', { token: B.token, body: { name: 'B team' } })
      ).body;
      for (const body of [
        { assigneeId: B.user.id },
        { assigneeId: inactive.id },
        { assigneeId: '00000000-0000-4000-8000-000000000000' },
        { teamId: teamOfB.id },
        { teamId: '00000000-0000-4000-8000-000000000000' },
      ]) {
        const res = await patch(id, body);
        expect(res.status, JSON.stringify(body)).toBe(422);
        expect(res.body.message).toContain(Object.keys(body)[0]);
      }
      expect(await row(id)).toMatchObject({ assignee_id: null, team_id: null });

      const team = (
        await http(ctx.app, 'POST', '/api/v1/teams', { token: A.token, body: { name: 'Escalations' } })
      ).body;
      expect((await patch(id, { teamId: team.id })).body.teamId).toBe(team.id);
      expect((await patch(id, { teamId: null })).body.teamId).toBeNull();
    });

    it('publishes conversation.updated and notifies the new assignee live, not the one who assigned', async () => {
      const [lead, helper] = [await newAgent(), await newAgent()];
      const socket = await online(helper);
      const pushed = record(socket, 'notification');
      const seen: DomainEventMap['conversation.updated'][] = [];
      const off = ctx.app.get(DomainEvents).on('conversation.updated', (e) => void seen.push(e));
      const id = await arrive(plainInbox);

      const res = await patch(id, { assigneeId: helper.id }, lead.token);
      expect(res.status).toBe(200);
      expect(res.body.assigneeId).toBe(helper.id);
      await expect.poll(() => seen.find((e) => e.conversation.id === id)?.changes).toEqual(['assigneeId']);
      off();
      await expect.poll(() => pushed.length).toBe(1);
      expect(pushed[0]).toMatchObject({
        type: 'assignment',
        conversationId: id,
        readAt: null,
        payload: { assignedBy: lead.id, conversationNumber: expect.any(Number) },
      });
      const listed = await notificationsOf(helper.token);
      expect(listed).toHaveLength(1);
      expect(listed[0]).toEqual(pushed[0]);

      // Taking a conversation oneself notifies no one; unassigning neither.
      expect((await patch(id, { assigneeId: lead.id }, lead.token)).status).toBe(200);
      expect((await patch(id, { assigneeId: null }, lead.token)).status).toBe(200);
      expect(await notificationsOf(lead.token)).toEqual([]);
      expect(await notificationsOf(helper.token)).toHaveLength(1);
    });
  });

  describe('round-robin', () => {
    it('rotates among the online members only, in turn', async () => {
      const [a1, a2, away] = [await newAgent(), await newAgent(), await newAgent()];
      const outsider = await newAgent();
      const inbox = await autoInbox([a1, a2, away]);
      await online(a1);
      await online(a2);
      await online(outsider);

      const ids: string[] = [];
      for (let i = 0; i < 4; i++) ids.push(await arrive(inbox));
      const order = sorted([a1, a2]);
      expect(await Promise.all(ids.map(assigneeOf))).toEqual([order[0], order[1], order[0], order[1]]);
    });

    it('continues the rotation with three agents and drops one who goes offline', async () => {
      const agents = [await newAgent(), await newAgent(), await newAgent()];
      const inbox = await autoInbox(agents);
      const socketsOf = new Map<string, Awaited<ReturnType<typeof online>>>();
      for (const a of agents) socketsOf.set(a.id, await online(a));
      const order = sorted(agents);

      const first: (string | null)[] = [];
      for (let i = 0; i < 6; i++) first.push(await assigneeOf(await arrive(inbox)));
      expect(first).toEqual([...order, ...order]);

      // The one next in line leaves: the rotation skips them.
      await sockets.disconnect(socketsOf.get(order[0]!)!, A.tenant.id, order[0]!);
      const after: (string | null)[] = [];
      for (let i = 0; i < 4; i++) after.push(await assigneeOf(await arrive(inbox)));
      expect(after).not.toContain(order[0]);
      expect(new Set(after)).toEqual(new Set([order[1], order[2]]));
    });

    it('skips an agent at the cap of open and pending conversations, and leaves it unassigned when all are', async () => {
      const [busy, free] = [await newAgent(), await newAgent()];
      // busy already holds two conversations (one open, one pending) in another inbox.
      for (const status of ['open', 'pending']) {
        const id = await arrive(plainInbox);
        expect((await patch(id, { assigneeId: busy.id, status })).status).toBe(200);
      }
      const resolvedOfFree = await arrive(plainInbox);
      await patch(resolvedOfFree, { assigneeId: free.id, status: 'resolved' });
      const inbox = await autoInbox([busy, free], 2);
      await online(busy);
      await online(free);

      expect(await assigneeOf(await arrive(inbox))).toBe(free.id);
      expect(await assigneeOf(await arrive(inbox))).toBe(free.id);
      // Both at 2 now (resolved ones do not count): nobody qualifies.
      const waiting = await arrive(inbox);
      expect(await assigneeOf(waiting)).toBeNull();

      // busy resolves one: room again.
      const [one] = (
        await ctx.database.unsafe.execute<{ id: string }>(
          sql`select id from conversations where assignee_id = ${busy.id} and status = 'open' limit 1`,
        )
      ).rows;
      expect((await patch(one!.id, { status: 'resolved' }, busy.token)).status).toBe(200);
      expect(await assigneeOf(await arrive(inbox))).toBe(busy.id);
    });

    it('leaves the conversation unassigned when no member is online, or the inbox has round-robin off', async () => {
      const [a, b] = [await newAgent(), await newAgent()];
      const offlineInbox = await autoInbox([a, b]);
      expect(await assigneeOf(await arrive(offlineInbox))).toBeNull();

      await online(a);
      const manualInbox = await autoInbox([a, b], 10, false);
      expect(await assigneeOf(await arrive(manualInbox))).toBeNull();
      // The same agent online does get the first inbox's next conversation.
      expect(await assigneeOf(await arrive(offlineInbox))).toBe(a.id);
    });

    it('assigns a reopened conversation, publishes conversation.updated and notifies the agent', async () => {
      const agent = await newAgent();
      const inbox = await autoInbox([agent]);
      const id = await arrive(inbox, 'returning-customer');
      expect(await assigneeOf(id)).toBeNull();
      expect((await patch(id, { status: 'resolved' })).status).toBe(200);

      const socket = await online(agent);
      const pushed = record(socket, 'notification');
      const updates = record<{ changes: string[]; conversation: { assigneeId: string | null } }>(
        socket,
        'conversation_updated',
      );
      expect(await arrive(inbox, 'returning-customer')).toBe(id);
      expect(await row(id)).toMatchObject({ assignee_id: agent.id, status: 'open' });
      await expect
        .poll(() => updates.find((u) => u.changes.includes('assigneeId'))?.conversation.assigneeId)
        .toBe(agent.id);
      await expect.poll(() => pushed.length).toBe(1);
      expect(pushed[0]).toMatchObject({
        type: 'assignment',
        conversationId: id,
        payload: { assignedBy: null },
      });
    });

    it('keeps an assignee a person chose; only unassigned conversations are auto-assigned', async () => {
      const [mine, other] = [await newAgent(), await newAgent()];
      const inbox = await autoInbox([mine, other]);
      const id = await arrive(inbox, 'regular');
      expect((await patch(id, { assigneeId: mine.id, status: 'resolved' })).status).toBe(200);
      await online(other);
      expect(await arrive(inbox, 'regular')).toBe(id);
      expect(await row(id)).toMatchObject({ assignee_id: mine.id, status: 'open' });
    });
  });
});
