import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { http, startTestApp, type HttpResult, type TestContext } from '../support/test-app.js';
import { leaseSize } from '../../src/common/rate-limit/rate-limiter.service.js';
import { makeApiKey, makeTenantWithUser } from '../support/factories.js';
import { inbound, makeApiInbox, textFrom } from '../support/inbox.js';

const LIMIT = 5;
const WEBHOOK_LIMIT = 12;

describe('rate limiting', () => {
  let ctx: TestContext;
  let admin: Awaited<ReturnType<typeof makeTenantWithUser>>;
  let keyA: string;
  let keyB: string;
  let inbox: Awaited<ReturnType<typeof makeApiInbox>>;

  /** Every request of the setup counts too; each test starts from empty windows. */
  async function resetCounters() {
    const prefix = ctx.config.REDIS_KEY_PREFIX;
    const keys = await ctx.redis.keys(`${prefix}rl:*`);
    if (keys.length) await ctx.redis.del(...keys.map((k) => k.slice(prefix.length)));
  }

  const remaining = (res: HttpResult) => Number(res.headers['x-ratelimit-remaining']);

  beforeAll(async () => {
    ctx = await startTestApp({
      env: {
        RATE_LIMIT_MAX: String(LIMIT),
        RATE_LIMIT_WINDOW_SECONDS: '60',
        WEBHOOK_RATE_LIMIT_MAX: String(WEBHOOK_LIMIT),
      },
    });
    admin = await makeTenantWithUser(ctx.app, ctx.database, 'ADMIN');
    inbox = await makeApiInbox(ctx.app, admin.token);
    keyA = (await makeApiKey(ctx.app, admin.token, ['contacts:read'])).key;
    keyB = (await makeApiKey(ctx.app, admin.token, ['contacts:read'])).key;
  });
  afterAll(() => ctx.close());
  beforeEach(resetCounters);

  describe('provider webhook routes', () => {
    it('have their own, larger budget, so a busy integration is not throttled like a person', async () => {
      const statuses: number[] = [];
      for (let i = 0; i < WEBHOOK_LIMIT; i++) {
        statuses.push((await inbound(ctx.app, inbox.id, inbox.secret, textFrom(`wh-${i}`, 'hi'))).status);
      }
      expect(statuses).toEqual(Array(WEBHOOK_LIMIT).fill(200));
      const over = await inbound(ctx.app, inbox.id, inbox.secret, textFrom('wh-over', 'hi'));
      expect(over.status).toBe(429);
      expect(over.headers['x-ratelimit-limit']).toBe(String(WEBHOOK_LIMIT));
      // The people-and-API-clients budget of the same address is untouched.
      expect((await http(ctx.app, 'GET', '/api/v1/auth/me', { token: admin.token })).status).toBe(200);
    });

    it('stop an address that keeps failing their authentication', async () => {
      for (let i = 0; i < LIMIT; i++) {
        expect((await inbound(ctx.app, inbox.id, 'wrong-secret', textFrom('guess', 'hi'))).status).toBe(401);
      }
      // Even the right secret from that address waits until the window ends.
      expect((await inbound(ctx.app, inbox.id, inbox.secret, textFrom('guess', 'hi'))).status).toBe(429);
    });
  });

  it('sends the limit and a decreasing remaining count on every response', async () => {
    const results: HttpResult[] = [];
    for (let i = 0; i < LIMIT; i++)
      results.push(await http(ctx.app, 'GET', '/api/v1/auth/me', { token: admin.token }));
    expect(results.map((r) => r.status)).toEqual(Array(LIMIT).fill(200));
    expect(results.map((r) => Number(r.headers['x-ratelimit-limit']))).toEqual(Array(LIMIT).fill(LIMIT));
    expect(results.map(remaining)).toEqual([4, 3, 2, 1, 0]);
  });

  it('counts requests that arrive together one by one: exactly the limit passes, each with its own remaining', async () => {
    // Hits of one turn share one Redis round trip (INCRBY by their number); each still gets its own count.
    const results = await Promise.all(
      Array.from({ length: LIMIT + 3 }, () =>
        http(ctx.app, 'GET', '/api/v1/auth/me', { token: admin.token }),
      ),
    );
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(LIMIT);
    expect(statuses.filter((s) => s === 429)).toHaveLength(3);
    const remainingOfPassed = results.filter((r) => r.status === 200).map(remaining);
    expect(remainingOfPassed.sort()).toEqual(Array.from({ length: LIMIT }, (_, i) => i));
    expect(results.filter((r) => r.status === 429).every((r) => remaining(r) === 0)).toBe(true);
  });

  it('stops an IP that keeps presenting made-up keys, whatever key it tries next', async () => {
    const bogus = () => `wcrm_${randomBytes(32).toString('base64url')}`;
    for (let i = 0; i < LIMIT; i++)
      expect((await http(ctx.app, 'GET', '/api/v1/api-keys/self', { apiKey: bogus() })).status).toBe(401);
    expect((await http(ctx.app, 'GET', '/api/v1/api-keys/self', { apiKey: bogus() })).status).toBe(429);
    // A valid key from the same address is caught by the same guard until the window ends.
    expect((await http(ctx.app, 'GET', '/api/v1/api-keys/self', { apiKey: keyA })).status).toBe(429);
  });

  it('answers the request after the limit with 429, retry-after and the JSON error body', async () => {
    for (let i = 0; i < LIMIT; i++)
      expect((await http(ctx.app, 'GET', '/api/v1/auth/me', { token: admin.token })).status).toBe(200);
    const res = await http(ctx.app, 'GET', '/api/v1/auth/me', { token: admin.token });
    expect(res.status).toBe(429);
    const retryAfter = Number(res.headers['retry-after']);
    expect(Number.isInteger(retryAfter)).toBe(true);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.headers['x-ratelimit-limit']).toBe(String(LIMIT));
    expect(remaining(res)).toBe(0);
    expect(res.body).toEqual({
      statusCode: 429,
      error: 'Too Many Requests',
      message: `Rate limit of ${LIMIT} requests per window exceeded; retry in ${retryAfter}s`,
      details: { retryAfterSeconds: retryAfter },
    });
    // Still limited on the next request and on any other route, authenticated or not.
    expect((await http(ctx.app, 'GET', '/api/v1/users', { token: admin.token })).status).toBe(429);
    expect(
      (
        await http(ctx.app, 'POST', '/api/v1/auth/login', {
          body: { email: admin.user.email, password: 'x' },
        })
      ).status,
    ).toBe(429);
    expect((await http(ctx.app, 'GET', '/api/v1/no-such-route')).status).toBe(429);
  });

  it('limits unauthenticated and failing requests per IP as well', async () => {
    for (let i = 0; i < LIMIT; i++) expect((await http(ctx.app, 'GET', '/api/v1/auth/me')).status).toBe(401);
    const res = await http(ctx.app, 'GET', '/api/v1/auth/me');
    expect(res.status).toBe(429);
    expect(res.headers['retry-after']).toBeDefined();
  });

  it('counts each API key on its own budget, separate from the IP', async () => {
    const a: number[] = [];
    for (let i = 0; i < LIMIT + 1; i++)
      a.push((await http(ctx.app, 'GET', '/api/v1/api-keys/self', { apiKey: keyA })).status);
    expect(a).toEqual([...Array(LIMIT).fill(200), 429]);

    // Key B has a full budget of its own.
    const b1 = await http(ctx.app, 'GET', '/api/v1/api-keys/self', { apiKey: keyB });
    expect(b1.status).toBe(200);
    expect(remaining(b1)).toBe(LIMIT - 1);

    // So does the IP the keys were used from.
    const ip = await http(ctx.app, 'GET', '/api/v1/auth/me', { token: admin.token });
    expect(ip.status).toBe(200);
    expect(remaining(ip)).toBe(LIMIT - 1);

    // And exhausting the IP does not touch a key.
    for (let i = 0; i < LIMIT; i++) await http(ctx.app, 'GET', '/api/v1/auth/me', { token: admin.token });
    expect((await http(ctx.app, 'GET', '/api/v1/auth/me', { token: admin.token })).status).toBe(429);
    const b2 = await http(ctx.app, 'GET', '/api/v1/api-keys/self', { apiKey: keyB });
    expect(b2.status).toBe(200);
    expect(remaining(b2)).toBe(LIMIT - 2);
    expect((await http(ctx.app, 'GET', '/api/v1/api-keys/self', { apiKey: keyA })).status).toBe(429);
  });

  it('counts a request with a bearer token per IP even when it also sends a key', async () => {
    for (let i = 0; i < LIMIT; i++)
      await http(ctx.app, 'GET', '/api/v1/auth/me', { token: admin.token, apiKey: keyA });
    expect((await http(ctx.app, 'GET', '/api/v1/auth/me', { token: admin.token })).status).toBe(429);
    const key = await http(ctx.app, 'GET', '/api/v1/api-keys/self', { apiKey: keyA });
    expect(key.status).toBe(200);
    expect(remaining(key)).toBe(LIMIT - 1);
  });

  it('does not limit /api/v1/health, nor count it', async () => {
    for (let i = 0; i < LIMIT * 3; i++) {
      const res = await http(ctx.app, 'GET', '/api/v1/health');
      expect(res.status).toBe(200);
      expect(res.headers['x-ratelimit-limit']).toBeUndefined();
    }
    const after = await http(ctx.app, 'GET', '/api/v1/auth/me', { token: admin.token });
    expect(after.status).toBe(200);
    expect(remaining(after)).toBe(LIMIT - 1);
  });

  it('a query string does not lift the health exemption onto other routes, nor escape the limit', async () => {
    for (let i = 0; i < LIMIT; i++)
      expect((await http(ctx.app, 'GET', '/api/v1/health?probe=1')).status).toBe(200);
    for (let i = 0; i < LIMIT; i++) await http(ctx.app, 'GET', '/api/v1/auth/me?x=1', { token: admin.token });
    expect((await http(ctx.app, 'GET', '/api/v1/auth/me?x=2', { token: admin.token })).status).toBe(429);
  });

  describe('across app instances', () => {
    let second: TestContext;
    beforeAll(async () => {
      second = await startTestApp({
        db: ctx.db,
        env: { RATE_LIMIT_MAX: String(LIMIT), REDIS_KEY_PREFIX: ctx.config.REDIS_KEY_PREFIX },
      });
    });
    afterAll(() => second.close());

    it('shares one count: 3 requests on A and 3 on B, the 6th is refused', async () => {
      const statuses: number[] = [];
      const remainders: number[] = [];
      for (const app of [ctx.app, ctx.app, ctx.app, second.app, second.app, second.app]) {
        const res = await http(app, 'GET', '/api/v1/auth/me', { token: admin.token });
        statuses.push(res.status);
        remainders.push(remaining(res));
      }
      expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
      expect(remainders).toEqual([4, 3, 2, 1, 0, 0]);
      expect((await http(ctx.app, 'GET', '/api/v1/auth/me', { token: admin.token })).status).toBe(429);
    });

    it('shares the count of an API key too', async () => {
      const statuses: number[] = [];
      for (const app of [second.app, ctx.app, second.app, ctx.app, second.app, ctx.app]) {
        statuses.push((await http(app, 'GET', '/api/v1/api-keys/self', { apiKey: keyA })).status);
      }
      expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
    });
  });
});

/** Budgets of LEASE_MIN_LIMIT and up (webhook routes) are taken from Redis a lease at a time. */
describe('rate limiting of large budgets, in leases', () => {
  const BUDGET = 2_000;
  const LEASE = leaseSize(BUDGET);
  let ctx: TestContext;
  let second: TestContext;
  let inbox: Awaited<ReturnType<typeof makeApiInbox>>;

  const prefix = () => ctx.config.REDIS_KEY_PREFIX;
  /** The Redis counter of this address on the api inbound route. */
  const counterKey = async () => {
    const keys = await ctx.redis.keys(`${prefix()}rl:wh:*`);
    expect(keys).toHaveLength(1);
    return keys[0]!.slice(prefix().length);
  };
  const counted = async () => Number(await ctx.redis.get(await counterKey()));
  const send = (app: TestContext['app'], secret = inbox.secret) =>
    inbound(app, inbox.id, secret, textFrom(`lease-${randomBytes(4).toString('hex')}`, 'hi'));
  const remainingOf = (res: HttpResult) => Number(res.headers['x-ratelimit-remaining']);
  async function clear() {
    const keys = await ctx.redis.keys(`${prefix()}rl:*`);
    if (keys.length) await ctx.redis.del(...keys.map((k) => k.slice(prefix().length)));
  }

  beforeAll(async () => {
    const env = { RATE_LIMIT_MAX: String(LIMIT), WEBHOOK_RATE_LIMIT_MAX: String(BUDGET) };
    ctx = await startTestApp({ env });
    second = await startTestApp({
      db: ctx.db,
      env: { ...env, REDIS_KEY_PREFIX: ctx.config.REDIS_KEY_PREFIX },
    });
    const admin = await makeTenantWithUser(ctx.app, ctx.database, 'ADMIN');
    inbox = await makeApiInbox(ctx.app, admin.token);
    await clear();
  });
  afterAll(async () => {
    await second?.close();
    await ctx?.close();
  });

  it('takes a lease of counts per round trip and hands them out in order, each with its remaining', async () => {
    expect(LEASE).toBe(10);
    const remaining: number[] = [];
    for (let i = 0; i <= LEASE; i++) remaining.push(remainingOf(await send(ctx.app)));
    expect(remaining).toEqual(Array.from({ length: LEASE + 1 }, (_, i) => BUDGET - 1 - i));
    // One round trip for those eleven: the request's count and the ten of its lease.
    expect(await counted()).toBe(1 + LEASE);
    expect(remainingOf(await send(ctx.app))).toBe(BUDGET - LEASE - 2);
    expect(await counted()).toBe(2 * (1 + LEASE));
  });

  it('never passes more than the budget: the lease that reaches it is cut there', async () => {
    for (let i = 0; i < LEASE; i++) expect((await send(ctx.app)).status).toBe(200);
    await ctx.redis.set(await counterKey(), String(BUDGET - 3), 'KEEPTTL');
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await send(ctx.app)).status);
    expect(statuses).toEqual([200, 200, 200, 429, 429, 429]);
  });

  it('all instances together pass at most the budget', async () => {
    await clear();
    await send(ctx.app);
    await send(second.app);
    // Both hold a lease now; the window has 15 counts left.
    await ctx.redis.set(await counterKey(), String(BUDGET - 15), 'KEEPTTL');
    let passed = 0;
    for (let i = 0; i < 30; i++) {
      for (const app of [ctx.app, second.app]) if ((await send(app)).status === 200) passed++;
    }
    // The two leases held from before were counted before the counter was moved: they pass too, and nothing else.
    expect(passed).toBe(15 + 2 * LEASE);
  });

  it('a guard tripped in this process ends its leases: the next request is refused', async () => {
    await clear();
    expect((await send(ctx.app)).status).toBe(200);
    for (let i = 0; i < LIMIT; i++) expect((await send(ctx.app, 'wrong-secret')).status).toBe(401);
    expect((await send(ctx.app)).status).toBe(429);
  });
});
