import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appointments, contacts } from '../../src/db/schema/index.js';
import { login, makeApiKey, makeTenantWithUser, makeUser } from '../support/factories.js';
import { http, startTestApp, type TestContext } from '../support/test-app.js';

describe('appointments of a contact', () => {
  let ctx: TestContext;
  let A: Awaited<ReturnType<typeof makeTenantWithUser>>;
  let B: Awaited<ReturnType<typeof makeTenantWithUser>>;
  let contactId: string;

  const list = (id: string, auth: { token?: string; apiKey?: string }) =>
    http(ctx.app, 'GET', `/api/v1/contacts/${id}/appointments`, auth);

  beforeAll(async () => {
    ctx = await startTestApp();
    A = await makeTenantWithUser(ctx.app, ctx.database, 'ADMIN');
    B = await makeTenantWithUser(ctx.app, ctx.database, 'ADMIN');
    const [contact] = await ctx.database.unsafe
      .insert(contacts)
      .values({ tenantId: A.tenant.id, name: 'Grace' })
      .returning();
    contactId = contact!.id;
    const day = 86_400_000;
    await ctx.database.unsafe.insert(appointments).values([
      {
        tenantId: A.tenant.id,
        contactId,
        title: 'Follow-up',
        startsAt: new Date(Date.now() + 3 * day),
        durationMinutes: 30,
        createdBy: 'agent:8d7c2a40-1d1e-4b8e-9a51-3f8f5b0c9e11',
      },
      {
        tenantId: A.tenant.id,
        contactId,
        title: 'First call',
        startsAt: new Date(Date.now() - day),
        durationMinutes: 15,
        notes: 'went well',
        createdBy: 'api',
      },
    ]);
  });
  afterAll(() => ctx?.close());

  it('lists them in time order, for any user of the workspace and for API keys with contacts:read', async () => {
    const agent = await makeUser(ctx.database, A.tenant.id, { role: 'AGENT' });
    const { token } = await login(ctx.app, agent.email);
    const res = await list(contactId, { token });
    expect(res.status).toBe(200);
    expect(res.body.items.map((a: { title: string }) => a.title)).toEqual(['First call', 'Follow-up']);
    expect(res.body.items[0]).toEqual({
      id: expect.any(String),
      contactId,
      conversationId: null,
      title: 'First call',
      startsAt: expect.any(String),
      durationMinutes: 15,
      notes: 'went well',
      createdBy: 'api',
      createdAt: expect.any(String),
    });
    const key = await makeApiKey(ctx.app, A.token, ['contacts:read']);
    expect((await list(contactId, { apiKey: key.key })).body.items).toHaveLength(2);
    const noScope = await makeApiKey(ctx.app, A.token, ['messages:read']);
    expect((await list(contactId, { apiKey: noScope.key })).status).toBe(403);
  });

  it("answers 404 for another workspace's contact, exactly like a missing one", async () => {
    const theirs = await list(contactId, { token: B.token });
    const missing = await list('00000000-0000-4000-8000-000000000000', { token: B.token });
    expect(theirs.status).toBe(404);
    expect(theirs.body).toEqual(missing.body);
    expect(theirs.body.message).toBe('Contact not found');
  });

  it('a contact without appointments has an empty list; a bad id is a 400', async () => {
    const [other] = await ctx.database.unsafe
      .insert(contacts)
      .values({ tenantId: A.tenant.id, name: 'Nobody' })
      .returning();
    expect((await list(other!.id, { token: A.token })).body).toEqual({ items: [] });
    expect((await list('not-a-uuid', { token: A.token })).status).toBe(400);
  });
});
