import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ApiChannelService } from '../../src/modules/channels/api/api-channel.service.js';
import { makeTenantWithUser } from '../support/factories.js';
import { countTenantRows, inbound, makeApiInbox, textFrom } from '../support/inbox.js';
import { startTestApp, type TestContext } from '../support/test-app.js';

/**
 * POST /api/v1/channels/api/:inboxId/messages is served by Fastify directly (common/http/direct-routes.ts), not by
 * Nest's router. It must answer exactly like a controller route: the same validation and error bodies, the
 * same headers, the same rate budget. Its neighbour POST …/status is still a controller route, so the two are
 * compared side by side.
 */
describe('direct routes (the api inbox webhook)', () => {
  let ctx: TestContext;
  let A: Awaited<ReturnType<typeof makeTenantWithUser>>;
  let inbox: { id: string; secret: string };

  const raw = (url: string, payload: string, headers: Record<string, string> = {}) =>
    ctx.app
      .getHttpAdapter()
      .getInstance()
      .inject({ method: 'POST', url, payload, headers: { 'content-type': 'application/json', ...headers } });

  beforeAll(async () => {
    ctx = await startTestApp();
    A = await makeTenantWithUser(ctx.app, ctx.database, 'ADMIN');
    inbox = await makeApiInbox(ctx.app, A.token);
  });
  afterAll(() => ctx?.close());

  it('answers with the same headers as a controller route (security headers, request id, rate limit, CORS)', async () => {
    const ok = await raw(
      `/api/v1/channels/api/${inbox.id}/messages`,
      JSON.stringify(textFrom('direct-1', 'hello')),
      { 'x-inbox-secret': inbox.secret, 'x-request-id': 'req-direct-1', origin: 'http://localhost:3000' },
    );
    expect(ok.statusCode).toBe(200);
    expect(ok.headers['x-request-id']).toBe('req-direct-1');
    expect(ok.headers['content-type']).toBe('application/json; charset=utf-8');
    // The status route is a Nest controller route on the same budget: a 404 for an unknown provider id.
    const nest = await raw(
      `/api/v1/channels/api/${inbox.id}/status`,
      JSON.stringify({ providerMessageId: 'nope', status: 'delivered' }),
      { 'x-inbox-secret': inbox.secret, 'x-request-id': 'req-nest-1', origin: 'http://localhost:3000' },
    );
    expect(nest.statusCode).toBe(404);
    const names = (h: Record<string, unknown>) =>
      Object.keys(h)
        .filter((k) => !['content-length', 'date'].includes(k))
        .sort();
    expect(names(ok.headers)).toEqual(names(nest.headers));
    for (const header of [
      'content-security-policy',
      'x-content-type-options',
      'strict-transport-security',
      'x-ratelimit-limit',
      'x-ratelimit-remaining',
    ]) {
      expect(ok.headers[header], header).toBeDefined();
      expect(ok.headers[header], header).toBe(
        header === 'x-ratelimit-remaining' ? ok.headers[header] : nest.headers[header],
      );
    }
    // The webhook budget, not the default 100 a minute.
    expect(ok.headers['x-ratelimit-limit']).toBe(String(ctx.config.WEBHOOK_RATE_LIMIT_MAX));
    expect(ok.headers['access-control-allow-credentials']).toBe(
      nest.headers['access-control-allow-credentials'],
    );
  });

  it('validates params and body with the contract: one 400 naming every field, nothing stored', async () => {
    const before = await countTenantRows(ctx.database, 'messages', A.tenant.id);
    const bad = await raw(
      '/api/v1/channels/api/not-a-uuid/messages',
      JSON.stringify({ contact: {}, message: { type: 'text', content: { text: 'x' } }, extra: 1 }),
      { 'x-inbox-secret': inbox.secret },
    );
    expect(bad.statusCode).toBe(400);
    const body = JSON.parse(bad.body);
    expect(body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
    expect(body.message).toMatch(/^Validation failed: /);
    const paths = (body.details.issues as { path: string }[]).map((i) => i.path);
    expect(paths).toEqual(expect.arrayContaining(['params.inboxId', 'body.contact.identifier', 'body']));
    expect(body.details.issues).toContainEqual({ path: 'body', message: 'unknown property: extra' });
    expect(await countTenantRows(ctx.database, 'messages', A.tenant.id)).toBe(before);
  });

  it('malformed JSON and a missing body get the same 400 bodies as any route', async () => {
    const broken = await raw(`/api/v1/channels/api/${inbox.id}/messages`, '{"contact": ', {
      'x-inbox-secret': inbox.secret,
    });
    expect(broken.statusCode).toBe(400);
    expect(JSON.parse(broken.body)).toMatchObject({ statusCode: 400, error: 'Bad Request' });
    const empty = await inbound(ctx.app, inbox.id, inbox.secret, undefined as never);
    expect(empty.status).toBe(400);
    expect(empty.body.message).toMatch(/body\.contact/);
  });

  it('a wrong secret answers 401 with the error body; an unexpected failure answers 500 without details', async () => {
    const denied = await inbound(ctx.app, inbox.id, 'wrong', textFrom('direct-2', 'x'));
    expect(denied.status).toBe(401);
    expect(denied.body).toEqual({
      statusCode: 401,
      error: 'Unauthorized',
      message: 'Missing or invalid X-Inbox-Secret',
    });

    const service = ctx.app.get(ApiChannelService);
    const spy = vi.spyOn(service, 'receive').mockRejectedValueOnce(new Error('disk on fire at /var/lib/x'));
    try {
      const failed = await inbound(ctx.app, inbox.id, inbox.secret, textFrom('direct-3', 'x'));
      expect(failed.status).toBe(500);
      expect(failed.body).toEqual({
        statusCode: 500,
        error: 'Internal Server Error',
        message: 'Internal server error',
      });
    } finally {
      spy.mockRestore();
    }
  });

  it('runs the handler in a request context carrying the request id and the client address', async () => {
    const { requestContext } = await import('../../src/common/tenancy/request-context.js');
    const service = ctx.app.get(ApiChannelService);
    let seen: ReturnType<typeof requestContext.get>;
    const original = service.receive.bind(service);
    const spy = vi.spyOn(service, 'receive').mockImplementationOnce((...args) => {
      seen = requestContext.get();
      return original(...args);
    });
    try {
      const res = await raw(
        `/api/v1/channels/api/${inbox.id}/messages`,
        JSON.stringify(textFrom('direct-4', 'hello')),
        { 'x-inbox-secret': inbox.secret, 'x-request-id': 'req-direct-4' },
      );
      expect(res.statusCode).toBe(200);
      expect(seen).toMatchObject({ requestId: 'req-direct-4', ip: '127.0.0.1' });
      expect(seen?.tenantId).toBeUndefined();
    } finally {
      spy.mockRestore();
    }
  });
});
