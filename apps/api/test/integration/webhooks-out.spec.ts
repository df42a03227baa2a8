import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sql } from 'drizzle-orm';
import type { TWebhookDelivery, TWebhookDeliveryDetail } from '@orbitdesk/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorker, type RunningWorker } from '../../src/worker.js';
import { makeTenantWithUser, makeUser, login } from '../support/factories.js';
import { inbound, makeApiInbox, startCallbackServer, textFrom } from '../support/inbox.js';
import { http, startTestApp, type TestContext } from '../support/test-app.js';

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
  json: any;
  at: number;
}

/**
 * A loopback webhook receiver: every path is its own endpoint with its own log and its own answer, so each test
 * can register endpoints that do not see each other's traffic.
 */
async function startReceiver() {
  const routes = new Map<string, { received: Received[]; respond: (n: number) => number }>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const route = routes.get(req.url!);
      const body = Buffer.concat(chunks).toString('utf8');
      if (!route) return void res.writeHead(404).end();
      let json: unknown;
      try {
        json = JSON.parse(body);
      } catch {
        json = undefined;
      }
      route.received.push({ headers: req.headers, body, json, at: Date.now() });
      res.writeHead(route.respond(route.received.length), { 'content-type': 'application/json' });
      res.end('{"ok":true}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  let n = 0;
  return {
    /** A new path; `respond` gets the 1-based number of the request and returns the status to answer. */
    route(respond: (n: number) => number = () => 200) {
      const path = `/hooks/${++n}`;
      const route = { received: [] as Received[], respond };
      routes.set(path, route);
      return { url: `http://127.0.0.1:${port}${path}`, received: route.received };
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Verification as a receiver would write it, with node:crypto only (independent of the API's own helper). */
function verify(secret: string, rawBody: string, header: string): boolean {
  const parts = header.split(',').map((p) => p.split('=', 2) as [string, string]);
  const t = parts.find(([k]) => k === 't')?.[1];
  const v1 = parts.find(([k]) => k === 'v1')?.[1];
  if (!t || !v1 || Math.abs(Date.now() / 1000 - Number(t)) > 300) return false;
  const expected = createHmac('sha256', secret).update(`${t}.${rawBody}`).digest();
  const given = Buffer.from(v1, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

describe('webhooks out', () => {
  let ctx: TestContext;
  let strict: TestContext;
  let worker: RunningWorker;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let A: Awaited<ReturnType<typeof makeTenantWithUser>>;
  let B: Awaited<ReturnType<typeof makeTenantWithUser>>;

  beforeAll(async () => {
    // The receiver is on loopback, so this app and its worker allow private networks; `strict` shares the
    // database with the default policy, for the SSRF checks at creation.
    ctx = await startTestApp({
      env: { OUTBOUND_ALLOW_PRIVATE_NETWORKS: 'true', WEBHOOK_RETRY_BASE_MS: '100' },
    });
    worker = await startWorker(ctx.config);
    strict = await startTestApp({ db: ctx.db });
    receiver = await startReceiver();
    A = await makeTenantWithUser(ctx.app, ctx.database, 'ADMIN');
    B = await makeTenantWithUser(ctx.app, ctx.database, 'ADMIN');
  });
  afterAll(async () => {
    await worker?.close();
    await receiver?.close();
    await strict?.close();
    await ctx?.close();
  });

  const createEndpoint = async (token: string, body: Record<string, unknown>, app = ctx.app) => {
    const res = await http(app, 'POST', '/api/v1/outgoing-webhooks/endpoints', { token, body });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body as { id: string; secret: string; signingSecret: string; isActive: boolean };
  };
  const deliveriesOf = async (token: string, endpointId: string, query = '') => {
    const res = await http(
      ctx.app,
      'GET',
      `/api/v1/outgoing-webhooks/endpoints/${endpointId}/deliveries${query}`,
      {
        token,
      },
    );
    expect(res.status).toBe(200);
    return res.body as { items: TWebhookDelivery[]; nextCursor: string | null };
  };
  const delivery = async (token: string, id: string) =>
    (
      await http<TWebhookDeliveryDetail>(ctx.app, 'GET', `/api/v1/outgoing-webhooks/deliveries/${id}`, {
        token,
      })
    ).body;
  /** A fresh tenant with an api inbox, so a test's events reach only its own endpoints. */
  const tenantWithInbox = async (app = ctx.app, database = ctx.database) => {
    const t = await makeTenantWithUser(app, database, 'ADMIN');
    const inbox = await makeApiInbox(app, t.token);
    return {
      ...t,
      inbox,
      say: (from: string, text: string) => inbound(app, inbox.id, inbox.secret, textFrom(from, text)),
    };
  };

  describe('endpoint administration', () => {
    it('creates an endpoint: the secret once, sealed at rest, masked afterwards', async () => {
      const created = await createEndpoint(A.token, {
        url: 'https://hooks.example.test/orbitdesk',
        description: 'CRM sync',
        events: ['message.created', 'conversation.updated'],
      });
      expect(created.secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
      expect(created).toMatchObject({
        url: 'https://hooks.example.test/orbitdesk',
        description: 'CRM sync',
        events: ['message.created', 'conversation.updated'],
        isActive: true,
        signingSecret: `whsec_********${created.secret.slice(-4)}`,
      });

      const row = (
        await ctx.database.unsafe.execute<Record<string, any>>(
          sql`select * from webhook_endpoints where id = ${created.id}`,
        )
      ).rows[0]!;
      expect(row.secret).toMatch(/^v1:/);
      expect(JSON.stringify(row)).not.toContain(created.secret);

      for (const [method, url, body] of [
        ['GET', `/api/v1/outgoing-webhooks/endpoints/${created.id}`, undefined],
        ['GET', '/api/v1/outgoing-webhooks/endpoints', undefined],
        ['PATCH', `/api/v1/outgoing-webhooks/endpoints/${created.id}`, { description: 'CRM' }],
      ] as const) {
        const r = await http(ctx.app, method, url, { token: A.token, ...(body ? { body } : {}) });
        expect(r.status, `${method} ${url}`).toBe(200);
        expect(JSON.stringify(r.body)).not.toContain(created.secret);
        expect(JSON.stringify(r.body)).toContain(created.signingSecret);
      }
    });

    it('updates, rotates the secret, and deletes', async () => {
      const created = await createEndpoint(A.token, {
        url: 'https://hooks.example.test/a',
        events: ['contact.created'],
      });
      const patched = await http(ctx.app, 'PATCH', `/api/v1/outgoing-webhooks/endpoints/${created.id}`, {
        token: A.token,
        body: {
          url: 'https://hooks.example.test/b',
          events: ['contact.updated'],
          isActive: false,
          description: null,
        },
      });
      expect(patched.status).toBe(200);
      expect(patched.body).toMatchObject({
        url: 'https://hooks.example.test/b',
        events: ['contact.updated'],
        isActive: false,
        description: null,
      });

      const rotated = await http(
        ctx.app,
        'POST',
        `/api/v1/outgoing-webhooks/endpoints/${created.id}/rotate-secret`,
        {
          token: A.token,
        },
      );
      expect(rotated.status).toBe(200);
      expect(rotated.body.secret).toMatch(/^whsec_/);
      expect(rotated.body.secret).not.toBe(created.secret);
      expect(rotated.body.signingSecret).toBe(`whsec_********${rotated.body.secret.slice(-4)}`);

      const removed = await http(ctx.app, 'DELETE', `/api/v1/outgoing-webhooks/endpoints/${created.id}`, {
        token: A.token,
      });
      expect(removed.status).toBe(200);
      expect(
        (await http(ctx.app, 'GET', `/api/v1/outgoing-webhooks/endpoints/${created.id}`, { token: A.token }))
          .status,
      ).toBe(404);
    });

    it('validates the request', async () => {
      for (const body of [
        { url: 'https://a.example.test', events: [] },
        { url: 'https://a.example.test', events: ['message.deleted'] },
        { url: 'https://a.example.test', events: ['message.created', 'message.created'] },
        { url: 'ftp://a.example.test', events: ['message.created'] },
        { url: 'not a url', events: ['message.created'] },
        { url: 'https://a.example.test', events: ['message.created'], secret: 'mine' },
      ]) {
        const res = await http(ctx.app, 'POST', '/api/v1/outgoing-webhooks/endpoints', {
          token: A.token,
          body,
        });
        expect(res.status, JSON.stringify(body)).toBe(400);
      }
    });

    it('is for admins only', async () => {
      const agent = await makeUser(ctx.database, A.tenant.id, { role: 'AGENT' });
      const { token } = await login(ctx.app, agent.email);
      expect((await http(ctx.app, 'GET', '/api/v1/outgoing-webhooks/endpoints', { token })).status).toBe(403);
      expect(
        (
          await http(ctx.app, 'POST', '/api/v1/outgoing-webhooks/endpoints', {
            token,
            body: { url: 'https://a.example.test', events: ['message.created'] },
          })
        ).status,
      ).toBe(403);
    });

    it.each([
      'http://10.0.0.1/hook',
      'http://127.0.0.1:8080/hook',
      'http://169.254.169.254/latest/meta-data/',
      'http://[::1]/hook',
      'http://[::ffff:127.0.0.1]/hook',
      'http://localhost:9999/hook',
    ])('refuses %s by default, naming url', async (url) => {
      const admin = await makeTenantWithUser(strict.app, strict.database, 'ADMIN');
      const res = await http(strict.app, 'POST', '/api/v1/outgoing-webhooks/endpoints', {
        token: admin.token,
        body: { url, events: ['message.created'] },
      });
      expect(res.status).toBe(400);
      expect(res.body.message).toMatch(/^Validation failed: body\.url: is not allowed: /);
      expect(res.body.details.issues[0].path).toBe('body.url');
      const n = await strict.database.unsafe.execute<{ n: number }>(
        sql`select count(*)::int as n from webhook_endpoints where tenant_id = ${admin.tenant.id}`,
      );
      expect(n.rows[0]!.n).toBe(0);
    });

    it('names the address a hostname resolved to', async () => {
      const admin = await makeTenantWithUser(strict.app, strict.database, 'ADMIN');
      const res = await http(strict.app, 'POST', '/api/v1/outgoing-webhooks/endpoints', {
        token: admin.token,
        body: { url: 'http://localhost:9999/hook', events: ['message.created'] },
      });
      // Some hosts list ::1 first for localhost.
      expect(res.body.message).toMatch(
        /^Validation failed: body\.url: is not allowed: localhost resolves to a blocked address: (127\.0\.0\.1 is a loopback address \(127\.0\.0\.0\/8\)|::1 is the loopback address \(::1\))$/,
      );
    });

    it('checks the URL on update too, and keeps metadata addresses out even when private networks are allowed', async () => {
      const admin = await makeTenantWithUser(strict.app, strict.database, 'ADMIN');
      const created = await createEndpoint(
        admin.token,
        { url: 'https://hooks.example.test/x', events: ['message.created'] },
        strict.app,
      );
      const res = await http(strict.app, 'PATCH', `/api/v1/outgoing-webhooks/endpoints/${created.id}`, {
        token: admin.token,
        body: { url: 'http://192.168.1.10/hook' },
      });
      expect(res.status).toBe(400);
      expect(res.body.message).toContain('body.url');

      // The permissive app accepts loopback, never the metadata service.
      const loopback = await http(ctx.app, 'POST', '/api/v1/outgoing-webhooks/endpoints', {
        token: A.token,
        body: { url: 'http://127.0.0.1:9/hook', events: ['message.created'], isActive: false },
      });
      expect(loopback.status).toBe(201);
      const metadata = await http(ctx.app, 'POST', '/api/v1/outgoing-webhooks/endpoints', {
        token: A.token,
        body: { url: 'http://169.254.169.254/', events: ['message.created'] },
      });
      expect(metadata.status).toBe(400);
    });
  });

  describe('deliveries', () => {
    it('delivers message.created signed with the shown secret, only to subscribed endpoints', async () => {
      const T = await tenantWithInbox();
      const messages = receiver.route();
      const conversations = receiver.route();
      const contacts = receiver.route();
      const subscribed = await createEndpoint(T.token, { url: messages.url, events: ['message.created'] });
      const convEndpoint = await createEndpoint(T.token, {
        url: conversations.url,
        events: ['conversation.created'],
      });
      const unsubscribed = await createEndpoint(T.token, { url: contacts.url, events: ['contact.updated'] });

      const res = await T.say('wh-1', 'hello webhooks');
      expect(res.status).toBe(200);
      await expect.poll(() => messages.received.length, { timeout: 10_000 }).toBe(1);
      await expect.poll(() => conversations.received.length, { timeout: 10_000 }).toBe(1);

      const got = messages.received[0]!;
      expect(got.headers['content-type']).toBe('application/json');
      expect(got.headers['orbitdesk-event']).toBe('message.created');
      expect(got.headers['orbitdesk-signature']).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
      expect(verify(subscribed.secret, got.body, String(got.headers['orbitdesk-signature']))).toBe(true);
      expect(verify(convEndpoint.secret, got.body, String(got.headers['orbitdesk-signature']))).toBe(false);
      expect(got.json).toMatchObject({
        type: 'message.created',
        tenantId: T.tenant.id,
        data: {
          message: { conversationId: res.body.conversationId, content: { text: 'hello webhooks' } },
          conversation: { id: res.body.conversationId },
        },
      });
      expect(got.json.id).toMatch(/^[0-9a-f-]{36}$/);
      expect(Date.parse(got.json.createdAt)).not.toBeNaN();
      expect(conversations.received[0]!.json).toMatchObject({
        type: 'conversation.created',
        data: { conversation: { id: res.body.conversationId } },
      });

      await expect
        .poll(async () => (await deliveriesOf(T.token, subscribed.id)).items[0]?.status)
        .toBe('succeeded');
      const page = await deliveriesOf(T.token, subscribed.id);
      expect(page.items).toHaveLength(1);
      expect(page.items[0]).toMatchObject({
        id: got.headers['orbitdesk-delivery'],
        eventId: got.json.id,
        eventType: 'message.created',
        status: 'succeeded',
        attemptCount: 1,
        lastStatusCode: 200,
        lastError: null,
        nextAttemptAt: null,
      });

      // By now every event of the inbound message has been fanned out; none was for this endpoint.
      await new Promise((r) => setTimeout(r, 300));
      expect(contacts.received).toHaveLength(0);
      expect((await deliveriesOf(T.token, unsubscribed.id)).items).toHaveLength(0);
    });

    it('never sends private notes, which stay inside the platform', async () => {
      const T = await tenantWithInbox();
      const route = receiver.route();
      await createEndpoint(T.token, { url: route.url, events: ['message.created'] });
      const first = await T.say('wh-note', 'customer text');
      await expect.poll(() => route.received.length, { timeout: 10_000 }).toBe(1);
      const note = await http(ctx.app, 'POST', '/api/v1/messages', {
        token: T.token,
        body: {
          conversationId: first.body.conversationId,
          type: 'text',
          content: { text: 'internal only' },
          isPrivate: true,
        },
      });
      expect(note.status).toBe(201);
      await T.say('wh-note', 'second customer text');
      await expect.poll(() => route.received.length, { timeout: 10_000 }).toBe(2);
      await new Promise((r) => setTimeout(r, 300));
      expect(route.received.map((r): unknown => r.json.data.message.content.text)).toEqual([
        'customer text',
        'second customer text',
      ]);
    });

    it('delivers message.status published by the worker', async () => {
      const T = await makeTenantWithUser(ctx.app, ctx.database, 'ADMIN');
      const callback = await startCallbackServer();
      try {
        const inbox = await makeApiInbox(ctx.app, T.token, { callbackUrl: callback.url });
        callback.state.secret = inbox.secret;
        const statuses = receiver.route();
        await createEndpoint(T.token, { url: statuses.url, events: ['message.status'] });
        const conv = await inbound(ctx.app, inbox.id, inbox.secret, textFrom('status-1', 'hi'));
        const sent = await http(ctx.app, 'POST', '/api/v1/messages', {
          token: T.token,
          body: { conversationId: conv.body.conversationId, type: 'text', content: { text: 'reply' } },
        });
        expect(sent.status).toBe(201);
        await expect.poll(() => statuses.received.length, { timeout: 10_000 }).toBe(1);
        expect(statuses.received[0]!.json).toMatchObject({
          type: 'message.status',
          tenantId: T.tenant.id,
          data: { message: { id: sent.body.id, status: 'sent' } },
        });
      } finally {
        await callback.close();
      }
    });

    it('retries a failing endpoint (500, 500, 200) and logs every attempt', async () => {
      const T = await tenantWithInbox();
      const flaky = receiver.route((n) => (n <= 2 ? 500 : 200));
      const endpoint = await createEndpoint(T.token, { url: flaky.url, events: ['message.created'] });
      await T.say('retry-1', 'third time lucky');

      await expect
        .poll(async () => (await deliveriesOf(T.token, endpoint.id)).items[0]?.status, { timeout: 15_000 })
        .toBe('succeeded');
      const summary = (await deliveriesOf(T.token, endpoint.id)).items[0]!;
      const detail = await delivery(T.token, summary.id);
      expect(detail).toMatchObject({
        status: 'succeeded',
        attemptCount: 3,
        lastStatusCode: 200,
        lastError: null,
      });
      expect(detail.attempts.map((a) => [a.attempt, a.statusCode])).toEqual([
        [1, 500],
        [2, 500],
        [3, 200],
      ]);
      expect(detail.attempts[0]!.error).toBe('HTTP 500: {"ok":true}');
      for (const a of detail.attempts) expect(a.latencyMs).toBeGreaterThanOrEqual(0);
      expect(detail.payload.id).toBe(summary.eventId);

      // Same event and delivery every time, freshly signed; the retries wait at least the backoff (100, 200 ms).
      expect(flaky.received).toHaveLength(3);
      expect(new Set(flaky.received.map((r) => String(r.json.id)))).toEqual(new Set([summary.eventId]));
      expect(new Set(flaky.received.map((r) => r.headers['orbitdesk-delivery']))).toEqual(
        new Set([summary.id]),
      );
      for (const r of flaky.received)
        expect(verify(endpoint.secret, r.body, String(r.headers['orbitdesk-signature']))).toBe(true);
      expect(flaky.received[1]!.at - flaky.received[0]!.at).toBeGreaterThanOrEqual(90);
      expect(flaky.received[2]!.at - flaky.received[1]!.at).toBeGreaterThanOrEqual(190);
    });

    it('resends the same event as a new delivery', async () => {
      const T = await tenantWithInbox();
      const target = receiver.route();
      const endpoint = await createEndpoint(T.token, { url: target.url, events: ['message.created'] });
      await T.say('resend-1', 'again please');
      await expect.poll(() => target.received.length, { timeout: 10_000 }).toBe(1);
      await expect
        .poll(async () => (await deliveriesOf(T.token, endpoint.id)).items[0]?.status)
        .toBe('succeeded');
      const original = (await deliveriesOf(T.token, endpoint.id)).items[0]!;

      const res = await http(ctx.app, 'POST', `/api/v1/outgoing-webhooks/deliveries/${original.id}/resend`, {
        token: T.token,
      });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ eventId: original.eventId, status: 'pending', attemptCount: 0 });
      expect(res.body.id).not.toBe(original.id);
      await expect.poll(() => target.received.length, { timeout: 10_000 }).toBe(2);
      expect(target.received[1]!.body).toBe(target.received[0]!.body);
      expect(target.received[1]!.headers['orbitdesk-delivery']).toBe(res.body.id);
      await expect.poll(async () => (await delivery(T.token, res.body.id)).status).toBe('succeeded');
      expect(await delivery(T.token, original.id)).toMatchObject({ status: 'succeeded', attemptCount: 1 });
      expect((await deliveriesOf(T.token, endpoint.id)).items.map((d) => d.id)).toEqual([
        res.body.id,
        original.id,
      ]);
    });

    it('a 410 Gone fails the delivery, disables the endpoint, and stops further deliveries', async () => {
      const T = await tenantWithInbox();
      const gone = receiver.route(() => 410);
      const endpoint = await createEndpoint(T.token, { url: gone.url, events: ['message.created'] });
      await T.say('gone-1', 'anyone there?');
      await expect
        .poll(async () => (await deliveriesOf(T.token, endpoint.id)).items[0]?.status, { timeout: 10_000 })
        .toBe('failed');
      const failed = (await deliveriesOf(T.token, endpoint.id)).items[0]!;
      expect(failed).toMatchObject({ attemptCount: 1, lastStatusCode: 410 });
      const ep = await http(ctx.app, 'GET', `/api/v1/outgoing-webhooks/endpoints/${endpoint.id}`, {
        token: T.token,
      });
      expect(ep.body.isActive).toBe(false);

      await T.say('gone-1', 'still there?');
      await new Promise((r) => setTimeout(r, 500));
      expect(gone.received).toHaveLength(1);
      expect((await deliveriesOf(T.token, endpoint.id)).items).toHaveLength(1);
      const resend = await http(ctx.app, 'POST', `/api/v1/outgoing-webhooks/deliveries/${failed.id}/resend`, {
        token: T.token,
      });
      expect(resend.status).toBe(409);
    });

    it('pages the delivery log newest first', async () => {
      const T = await tenantWithInbox();
      const target = receiver.route();
      const endpoint = await createEndpoint(T.token, { url: target.url, events: ['message.created'] });
      for (const text of ['one', 'two', 'three']) {
        await T.say('pager', text);
        // One at a time, so the creation order is the order of the texts.
        await expect
          .poll(() => target.received.length, { timeout: 10_000 })
          .toBe(['one', 'two', 'three'].indexOf(text) + 1);
      }
      const first = await deliveriesOf(T.token, endpoint.id, '?limit=2');
      expect(first.items).toHaveLength(2);
      expect(first.nextCursor).not.toBeNull();
      const second = await deliveriesOf(T.token, endpoint.id, `?limit=2&cursor=${first.nextCursor}`);
      expect(second.items).toHaveLength(1);
      expect(second.nextCursor).toBeNull();
      const texts = await Promise.all(
        [...first.items, ...second.items].map(
          async (d) =>
            ((await delivery(T.token, d.id)).payload.data as { message: { content: { text: string } } })
              .message.content.text,
        ),
      );
      expect(texts).toEqual(['three', 'two', 'one']);
    });
  });

  describe('tenancy', () => {
    it("tenant B's events never reach tenant A's endpoint", async () => {
      const TA = await tenantWithInbox();
      const TB = await tenantWithInbox();
      const aHook = receiver.route();
      const bHook = receiver.route();
      const aEndpoint = await createEndpoint(TA.token, { url: aHook.url, events: ['message.created'] });
      await createEndpoint(TB.token, { url: bHook.url, events: ['message.created'] });
      await TB.say('b-contact', 'for B only');
      await expect.poll(() => bHook.received.length, { timeout: 10_000 }).toBe(1);
      expect(bHook.received[0]!.json.tenantId).toBe(TB.tenant.id);
      await new Promise((r) => setTimeout(r, 300));
      expect(aHook.received).toHaveLength(0);
      expect((await deliveriesOf(TA.token, aEndpoint.id)).items).toHaveLength(0);
    });

    it("another tenant's endpoints and deliveries answer 404 and nothing changes", async () => {
      const TA = await tenantWithInbox();
      const target = receiver.route();
      const endpoint = await createEndpoint(TA.token, { url: target.url, events: ['message.created'] });
      await TA.say('xt', 'private to A');
      await expect
        .poll(async () => (await deliveriesOf(TA.token, endpoint.id)).items[0]?.status, { timeout: 10_000 })
        .toBe('succeeded');
      const d = (await deliveriesOf(TA.token, endpoint.id)).items[0]!;
      const before = (
        await ctx.database.unsafe.execute<Record<string, any>>(
          sql`select * from webhook_endpoints where id = ${endpoint.id}`,
        )
      ).rows[0];

      for (const [method, url, body] of [
        ['GET', `/api/v1/outgoing-webhooks/endpoints/${endpoint.id}`, undefined],
        ['PATCH', `/api/v1/outgoing-webhooks/endpoints/${endpoint.id}`, { isActive: false }],
        ['POST', `/api/v1/outgoing-webhooks/endpoints/${endpoint.id}/rotate-secret`, undefined],
        ['GET', `/api/v1/outgoing-webhooks/endpoints/${endpoint.id}/deliveries`, undefined],
        ['DELETE', `/api/v1/outgoing-webhooks/endpoints/${endpoint.id}`, undefined],
        ['GET', `/api/v1/outgoing-webhooks/deliveries/${d.id}`, undefined],
        ['POST', `/api/v1/outgoing-webhooks/deliveries/${d.id}/resend`, undefined],
      ] as const) {
        const res = await http(ctx.app, method, url, { token: B.token, ...(body ? { body } : {}) });
        expect(res.status, `${method} ${url}`).toBe(404);
      }
      const after = (
        await ctx.database.unsafe.execute<Record<string, any>>(
          sql`select * from webhook_endpoints where id = ${endpoint.id}`,
        )
      ).rows[0];
      expect(after).toEqual(before);
      expect((await deliveriesOf(TA.token, endpoint.id)).items).toHaveLength(1);
    });
  });
});

describe('webhooks out: retry horizon', () => {
  let ctx: TestContext;
  let worker: RunningWorker;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;

  beforeAll(async () => {
    // 50 ms base and a 1.8 s horizon: retries at ~50, 100, 200, 400, 800 ms, then the next would be too late.
    ctx = await startTestApp({
      env: {
        OUTBOUND_ALLOW_PRIVATE_NETWORKS: 'true',
        WEBHOOK_RETRY_BASE_MS: '50',
        WEBHOOK_RETRY_HORIZON_HOURS: '0.0005',
      },
    });
    worker = await startWorker(ctx.config);
    receiver = await startReceiver();
  });
  afterAll(async () => {
    await worker?.close();
    await receiver?.close();
    await ctx?.close();
  });

  it('an endpoint that keeps failing ends failed once the horizon has passed', async () => {
    const T = await makeTenantWithUser(ctx.app, ctx.database, 'ADMIN');
    const inbox = await makeApiInbox(ctx.app, T.token);
    const down = receiver.route(() => 503);
    const created = await http(ctx.app, 'POST', '/api/v1/outgoing-webhooks/endpoints', {
      token: T.token,
      body: { url: down.url, events: ['message.created'] },
    });
    await inbound(ctx.app, inbox.id, inbox.secret, textFrom('down-1', 'is anyone listening'));

    const list = async () =>
      (
        await http<{ items: TWebhookDelivery[] }>(
          ctx.app,
          'GET',
          `/api/v1/outgoing-webhooks/endpoints/${created.body.id}/deliveries`,
          { token: T.token },
        )
      ).body.items;
    await expect.poll(async () => (await list())[0]?.status, { timeout: 15_000 }).toBe('failed');
    const [summary] = await list();
    const detail = (
      await http<TWebhookDeliveryDetail>(
        ctx.app,
        'GET',
        `/api/v1/outgoing-webhooks/deliveries/${summary!.id}`,
        {
          token: T.token,
        },
      )
    ).body;
    expect(detail).toMatchObject({ status: 'failed', lastStatusCode: 503, nextAttemptAt: null });
    expect(detail.attemptCount).toBeGreaterThanOrEqual(3);
    expect(detail.attempts).toHaveLength(detail.attemptCount);
    expect(down.received).toHaveLength(detail.attemptCount);
    expect(detail.attempts.every((a) => a.statusCode === 503)).toBe(true);
    // Nothing after the horizon, and no retry once failed.
    const horizonEnd = Date.parse(detail.createdAt) + 0.0005 * 3_600_000;
    expect(down.received.every((r) => r.at <= horizonEnd + 250)).toBe(true);
    await new Promise((r) => setTimeout(r, 500));
    expect(down.received).toHaveLength(detail.attemptCount);
  });
});
