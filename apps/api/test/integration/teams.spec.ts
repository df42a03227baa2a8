import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { login, makeTenantWithUser, makeUser } from '../support/factories.js';
import { makeApiInbox } from '../support/inbox.js';
import { http, startTestApp, type TestContext } from '../support/test-app.js';

describe('teams and inbox members', () => {
  let ctx: TestContext;
  let A: Awaited<ReturnType<typeof makeTenantWithUser>>;
  let B: Awaited<ReturnType<typeof makeTenantWithUser>>;
  let managerA: string;
  let agentA: { id: string; token: string };
  let otherAgentA: { id: string };

  const teamRow = async (id: string) =>
    (await ctx.database.unsafe.execute<Record<string, unknown>>(sql`select * from teams where id = ${id}`))
      .rows[0];
  const membersOf = async (teamId: string) =>
    (
      await ctx.database.unsafe.execute<{ user_id: string }>(
        sql`select user_id from team_members where team_id = ${teamId} order by user_id`,
      )
    ).rows.map((r) => r.user_id);

  beforeAll(async () => {
    ctx = await startTestApp();
    A = await makeTenantWithUser(ctx.app, ctx.database, 'ADMIN');
    B = await makeTenantWithUser(ctx.app, ctx.database, 'ADMIN');
    const manager = await makeUser(ctx.database, A.tenant.id, { role: 'MANAGER' });
    managerA = (await login(ctx.app, manager.email)).token;
    const agent = await makeUser(ctx.database, A.tenant.id, { role: 'AGENT' });
    agentA = { id: agent.id, token: (await login(ctx.app, agent.email)).token };
    otherAgentA = await makeUser(ctx.database, A.tenant.id, { role: 'AGENT' });
  });
  afterAll(() => ctx?.close());

  describe('teams', () => {
    it('a manager creates, renames and lists teams; agents read them', async () => {
      const created = await http(ctx.app, 'POST', '/api/v1/teams', {
        token: managerA,
        body: { name: ' Billing ' },
      });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ name: 'Billing', memberIds: [] });

      const renamed = await http(ctx.app, 'PATCH', `/api/v1/teams/${created.body.id}`, {
        token: managerA,
        body: { name: 'Billing & refunds' },
      });
      expect(renamed.status).toBe(200);
      expect(renamed.body.name).toBe('Billing & refunds');

      const list = await http(ctx.app, 'GET', '/api/v1/teams', { token: agentA.token });
      expect(list.status).toBe(200);
      expect(list.body.items.map((t: { name: string }) => t.name)).toContain('Billing & refunds');
      const one = await http(ctx.app, 'GET', `/api/v1/teams/${created.body.id}`, { token: agentA.token });
      expect(one.status).toBe(200);
      expect(one.body.id).toBe(created.body.id);
    });

    it('agents cannot change teams', async () => {
      const made = await http(ctx.app, 'POST', '/api/v1/teams', {
        token: managerA,
        body: { name: 'Locked' },
      });
      for (const [method, url, body] of [
        ['POST', '/api/v1/teams', { name: 'Mine' }],
        ['PATCH', `/api/v1/teams/${made.body.id}`, { name: 'Mine' }],
        ['PUT', `/api/v1/teams/${made.body.id}/members`, { userIds: [agentA.id] }],
        ['DELETE', `/api/v1/teams/${made.body.id}`, undefined],
      ] as const) {
        const res = await http(ctx.app, method, url, { token: agentA.token, ...(body ? { body } : {}) });
        expect(res.status, `${method} ${url}`).toBe(403);
      }
      expect(await teamRow(made.body.id)).toMatchObject({ name: 'Locked' });
    });

    it('names are unique per workspace: 409, while another workspace may use the name', async () => {
      const first = await http(ctx.app, 'POST', '/api/v1/teams', {
        token: managerA,
        body: { name: 'Sales' },
      });
      expect(first.status).toBe(201);
      const again = await http(ctx.app, 'POST', '/api/v1/teams', {
        token: managerA,
        body: { name: 'Sales' },
      });
      expect(again.status).toBe(409);
      expect(again.body.message).toContain('Sales');

      const other = await http(ctx.app, 'POST', '/api/v1/teams', {
        token: managerA,
        body: { name: 'Support' },
      });
      const clash = await http(ctx.app, 'PATCH', `/api/v1/teams/${other.body.id}`, {
        token: managerA,
        body: { name: 'Sales' },
      });
      expect(clash.status).toBe(409);
      expect(await teamRow(other.body.id)).toMatchObject({ name: 'Support' });

      expect(
        (await http(ctx.app, 'POST', '/api/v1/teams', { token: B.token, body: { name: 'Sales' } })).status,
      ).toBe(201);
      expect(
        (await http(ctx.app, 'POST', '/api/v1/teams', { token: managerA, body: { name: '' } })).status,
      ).toBe(400);
    });

    it('PUT members replaces the list with users of the workspace; others → 422 and nothing changes', async () => {
      const team = (
        await http(ctx.app, 'POST', '/api/v1/teams', { token: managerA, body: { name: 'Tier 1' } })
      ).body;
      const put = (userIds: string[]) =>
        http(ctx.app, 'PUT', `/api/v1/teams/${team.id}/members`, { token: managerA, body: { userIds } });

      const set = await put([otherAgentA.id, agentA.id]);
      expect(set.status).toBe(200);
      expect(set.body.memberIds).toEqual([agentA.id, otherAgentA.id].sort());
      expect(await membersOf(team.id)).toEqual([agentA.id, otherAgentA.id].sort());

      const foreign = await put([agentA.id, B.user.id]);
      expect(foreign.status).toBe(422);
      expect(foreign.body.details).toEqual({ userIds: [B.user.id] });
      expect((await put(['00000000-0000-4000-8000-000000000000'])).status).toBe(422);
      expect((await put([agentA.id, agentA.id])).status).toBe(400);
      expect(await membersOf(team.id)).toEqual([agentA.id, otherAgentA.id].sort());

      const replaced = await put([otherAgentA.id]);
      expect(replaced.body.memberIds).toEqual([otherAgentA.id]);
      expect(
        (await http(ctx.app, 'GET', `/api/v1/teams/${team.id}`, { token: agentA.token })).body.memberIds,
      ).toEqual([otherAgentA.id]);
      expect((await put([])).body.memberIds).toEqual([]);
    });

    it('DELETE removes the team and its memberships', async () => {
      const team = (await http(ctx.app, 'POST', '/api/v1/teams', { token: managerA, body: { name: 'Temp' } }))
        .body;
      await http(ctx.app, 'PUT', `/api/v1/teams/${team.id}/members`, {
        token: managerA,
        body: { userIds: [agentA.id] },
      });
      const removed = await http(ctx.app, 'DELETE', `/api/v1/teams/${team.id}`, { token: managerA });
      expect(removed.status).toBe(200);
      expect(removed.body).toMatchObject({ id: team.id, memberIds: [agentA.id] });
      expect((await http(ctx.app, 'GET', `/api/v1/teams/${team.id}`, { token: managerA })).status).toBe(404);
      expect(await membersOf(team.id)).toEqual([]);
    });

    it("another workspace's team answers 404 to every route, and is unchanged", async () => {
      const team = (
        await http(ctx.app, 'POST', '/api/v1/teams', { token: managerA, body: { name: 'Private' } })
      ).body;
      await http(ctx.app, 'PUT', `/api/v1/teams/${team.id}/members`, {
        token: managerA,
        body: { userIds: [agentA.id] },
      });
      const before = await teamRow(team.id);
      for (const [method, url, body] of [
        ['GET', `/api/v1/teams/${team.id}`, undefined],
        ['PATCH', `/api/v1/teams/${team.id}`, { name: 'Hijacked' }],
        ['PUT', `/api/v1/teams/${team.id}/members`, { userIds: [B.user.id] }],
        ['DELETE', `/api/v1/teams/${team.id}`, undefined],
      ] as const) {
        const res = await http(ctx.app, method, url, { token: B.token, ...(body ? { body } : {}) });
        expect(res.status, `${method} ${url}`).toBe(404);
        expect(res.body.message).toBe('Team not found');
      }
      const listed = await http(ctx.app, 'GET', '/api/v1/teams', { token: B.token });
      expect(listed.body.items.map((t: { id: string }) => t.id)).not.toContain(team.id);
      expect(await teamRow(team.id)).toEqual(before);
      expect(await membersOf(team.id)).toEqual([agentA.id]);
    });
  });

  describe('inbox members', () => {
    it('an admin sets and reads the agents of an inbox; users of other workspaces → 422', async () => {
      const inbox = await makeApiInbox(ctx.app, A.token);
      const url = `/api/v1/channels/${inbox.id}/members`;
      expect((await http(ctx.app, 'GET', url, { token: A.token })).body).toEqual({ userIds: [] });

      const set = await http(ctx.app, 'PUT', url, {
        token: A.token,
        body: { userIds: [otherAgentA.id, agentA.id] },
      });
      expect(set.status).toBe(200);
      expect(set.body.userIds).toEqual([agentA.id, otherAgentA.id].sort());
      expect((await http(ctx.app, 'GET', url, { token: A.token })).body.userIds).toEqual(
        [agentA.id, otherAgentA.id].sort(),
      );

      const foreign = await http(ctx.app, 'PUT', url, { token: A.token, body: { userIds: [B.user.id] } });
      expect(foreign.status).toBe(422);
      expect((await http(ctx.app, 'GET', url, { token: A.token })).body.userIds).toHaveLength(2);

      // Managing inboxes is an admin's job.
      expect((await http(ctx.app, 'PUT', url, { token: managerA, body: { userIds: [] } })).status).toBe(403);
      expect((await http(ctx.app, 'GET', url, { token: agentA.token })).status).toBe(403);
    });

    it("another workspace's inbox answers 404 and its members are unchanged", async () => {
      const inbox = await makeApiInbox(ctx.app, A.token);
      const url = `/api/v1/channels/${inbox.id}/members`;
      await http(ctx.app, 'PUT', url, { token: A.token, body: { userIds: [agentA.id] } });
      expect((await http(ctx.app, 'GET', url, { token: B.token })).status).toBe(404);
      const put = await http(ctx.app, 'PUT', url, { token: B.token, body: { userIds: [B.user.id] } });
      expect(put.status).toBe(404);
      expect((await http(ctx.app, 'GET', url, { token: A.token })).body.userIds).toEqual([agentA.id]);
    });
  });
});
