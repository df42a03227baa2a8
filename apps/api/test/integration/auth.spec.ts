import { randomBytes } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { decodeJwt, SignJWT, UnsecuredJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { refreshTokens, tenants, users } from '../../src/db/schema/index.js';
import { http, startTestApp, type HttpResult, type TestContext } from '../support/test-app.js';
import {
  DEFAULT_PASSWORD,
  login,
  makeApiKey,
  makeTenant,
  makeTenantWithUser,
  makeUser,
} from '../support/factories.js';

type App = TestContext['app'];

const uniq = () => randomBytes(4).toString('hex');

interface SetCookie {
  value: string;
  /** Attribute names lower-cased; flags such as HttpOnly map to true. */
  attrs: Record<string, string | true>;
}

/** The od_refresh Set-Cookie of a response, parsed; undefined when the response sets none. */
function refreshSetCookie(res: HttpResult): SetCookie | undefined {
  const header = [res.headers['set-cookie'] ?? []]
    .flat()
    .map(String)
    .find((c) => c.startsWith('od_refresh='));
  if (!header) return undefined;
  const [pair, ...attributes] = header.split(';').map((p) => p.trim());
  const attrs: Record<string, string | true> = {};
  for (const a of attributes) {
    const i = a.indexOf('=');
    if (i === -1) attrs[a.toLowerCase()] = true;
    else attrs[a.slice(0, i).toLowerCase()] = a.slice(i + 1);
  }
  return { value: pair!.slice('od_refresh='.length), attrs };
}

const loginAttempt = (app: App, email: string, password: string) =>
  http(app, 'POST', '/api/v1/auth/login', { body: { email, password } });
const refresh = (app: App, cookie?: string) =>
  http(app, 'POST', '/api/v1/auth/refresh', cookie ? { cookies: { od_refresh: cookie } } : {});
const me = (app: App, token: string) => http(app, 'GET', '/api/v1/auth/me', { token });

function registerBody(overrides: Record<string, unknown> = {}) {
  const id = uniq();
  return {
    companyName: `Acme ${id}`,
    name: `Founder ${id}`,
    email: `founder-${id}@example.test`,
    password: 'Registered-pass-1',
    ...overrides,
  };
}

async function register(app: App, overrides: Record<string, unknown> = {}) {
  const body = registerBody(overrides);
  const res = await http(app, 'POST', '/api/v1/auth/register', { body });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return { ...body, tenantId: res.body.tenant.id as string, userId: res.body.user.id as string };
}

/** testConfig sets SUPERADMIN_EMAIL/PASSWORD, so the app creates this platform admin at boot. */
function superadmin(ctx: TestContext) {
  const { SUPERADMIN_EMAIL: email, SUPERADMIN_PASSWORD: password } = ctx.config;
  if (!email || !password)
    throw new Error('the test config must set SUPERADMIN_EMAIL and SUPERADMIN_PASSWORD');
  return { email, password };
}

async function superadminToken(ctx: TestContext): Promise<string> {
  const { email, password } = superadmin(ctx);
  return (await login(ctx.app, email, password)).token;
}

async function decide(
  ctx: TestContext,
  tenantId: string,
  decision: 'approve' | 'reject' | 'suspend' | 'reactivate',
  reason?: string,
) {
  const res = await http(ctx.app, 'POST', `/api/v1/platform/tenants/${tenantId}/${decision}`, {
    token: await superadminToken(ctx),
    body: reason ? { reason } : {},
  });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body as { id: string; status: string };
}

/** Signs an access token the way TokenService does, so a test can vary exactly one property. */
function accessToken(
  claims: { sub: string; role: string; tid: string | null },
  opts: { secret: string; expiresAt: number; issuedAt?: number },
) {
  return new SignJWT({ role: claims.role, tid: claims.tid })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(claims.sub)
    .setIssuer('orbitdesk')
    .setAudience('api')
    .setIssuedAt(opts.issuedAt ?? Math.floor(Date.now() / 1000))
    .setExpirationTime(opts.expiresAt)
    .sign(new TextEncoder().encode(opts.secret));
}

describe('auth', () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await startTestApp();
  });
  afterAll(() => ctx.close());

  describe('register', () => {
    it('creates a PENDING tenant with the registrant as its ADMIN', async () => {
      const body = registerBody();
      const res = await http(ctx.app, 'POST', '/api/v1/auth/register', { body });
      expect(res.status).toBe(201);
      expect(res.body.tenant).toMatchObject({ name: body.companyName, status: 'PENDING' });
      expect(res.body.user).toMatchObject({ email: body.email, name: body.name });

      const [tenant] = await ctx.database.unsafe
        .select()
        .from(tenants)
        .where(eq(tenants.id, res.body.tenant.id));
      expect(tenant?.status).toBe('PENDING');
      const [user] = await ctx.database.unsafe.select().from(users).where(eq(users.id, res.body.user.id));
      expect(user).toMatchObject({ tenantId: tenant!.id, role: 'ADMIN', isActive: true });
      expect(user!.passwordHash).not.toContain(body.password);
    });

    it('refuses an email that is already registered, in any letter case, with 409', async () => {
      const first = await register(ctx.app);
      const again = await http(ctx.app, 'POST', '/api/v1/auth/register', {
        body: registerBody({ email: first.email.toUpperCase() }),
      });
      expect(again.status).toBe(409);
      expect(again.body.message).toMatch(/already exists/);
    });

    it("refuses the platform admin's email with 409", async () => {
      const res = await http(ctx.app, 'POST', '/api/v1/auth/register', {
        body: registerBody({ email: superadmin(ctx).email }),
      });
      expect(res.status).toBe(409);
    });

    it('rejects an unknown property with 400 naming it, and creates nothing', async () => {
      const body = registerBody({ plan: 'enterprise' });
      const res = await http(ctx.app, 'POST', '/api/v1/auth/register', { body });
      expect(res.status).toBe(400);
      expect(res.body.message).toContain('plan');
      const rows = await ctx.database.unsafe.select().from(users).where(eq(users.email, body.email));
      expect(rows).toHaveLength(0);
    });
  });

  describe('login and tenant status', () => {
    it('refuses a PENDING tenant with 403 "waiting for approval"', async () => {
      const reg = await register(ctx.app);
      const res = await loginAttempt(ctx.app, reg.email, reg.password);
      expect(res.status).toBe(403);
      expect(res.body.message).toMatch(/waiting for approval/);
      expect(refreshSetCookie(res)).toBeUndefined();
    });

    it('lets the tenant admin in once the superadmin approves', async () => {
      const reg = await register(ctx.app);
      const approved = await decide(ctx, reg.tenantId, 'approve');
      expect(approved).toMatchObject({ id: reg.tenantId, status: 'ACTIVE' });

      const res = await loginAttempt(ctx.app, reg.email, reg.password);
      expect(res.status).toBe(200);
      expect(res.body.user).toMatchObject({ id: reg.userId, role: 'ADMIN', tenant: { status: 'ACTIVE' } });
      expect((await me(ctx.app, res.body.accessToken)).status).toBe(200);
    });

    it('refuses a REJECTED tenant with 403 and the reason', async () => {
      const reg = await register(ctx.app);
      await decide(ctx, reg.tenantId, 'reject', 'Looks like a test signup');
      const res = await loginAttempt(ctx.app, reg.email, reg.password);
      expect(res.status).toBe(403);
      expect(res.body.message).toMatch(/rejected/);
      expect(res.body.message).toContain('Looks like a test signup');
    });

    it('refuses a SUSPENDED tenant with 403', async () => {
      const reg = await register(ctx.app);
      await decide(ctx, reg.tenantId, 'approve');
      await decide(ctx, reg.tenantId, 'suspend', 'Unpaid invoice');
      const res = await loginAttempt(ctx.app, reg.email, reg.password);
      expect(res.status).toBe(403);
      expect(res.body.message).toMatch(/suspended/);
      expect(res.body.message).toContain('Unpaid invoice');
    });

    it('only lets a SUPERADMIN decide on tenants', async () => {
      const reg = await register(ctx.app);
      const { token } = await makeTenantWithUser(ctx.app, ctx.database, 'ADMIN');
      const res = await http(ctx.app, 'POST', `/api/v1/platform/tenants/${reg.tenantId}/approve`, { token });
      expect(res.status).toBe(403);
      expect((await loginAttempt(ctx.app, reg.email, reg.password)).status).toBe(403);
    });

    it('answers a wrong password and an unknown email alike: 401 with a generic message', async () => {
      const tenant = await makeTenant(ctx.database);
      const user = await makeUser(ctx.database, tenant.id);
      const wrong = await loginAttempt(ctx.app, user.email, 'Not-the-password-1');
      const unknown = await loginAttempt(ctx.app, `nobody-${uniq()}@example.test`, DEFAULT_PASSWORD);
      for (const res of [wrong, unknown]) {
        expect(res.status).toBe(401);
        expect(res.body.message).toBe('Invalid email or password');
        expect(res.body.accessToken).toBeUndefined();
      }
    });
  });

  describe('/auth/me', () => {
    it('returns the user with their tenant', async () => {
      const { token, user, tenant } = await makeTenantWithUser(ctx.app, ctx.database, 'MANAGER');
      const res = await me(ctx.app, token);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        id: user.id,
        email: user.email,
        name: user.name,
        role: 'MANAGER',
        tenant: { id: tenant.id, name: tenant.name, slug: tenant.slug, status: 'ACTIVE' },
      });
    });

    it('returns the superadmin (created from the environment at boot) without a tenant', async () => {
      const res = await me(ctx.app, await superadminToken(ctx));
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        email: superadmin(ctx).email,
        role: 'SUPERADMIN',
        tenant: null,
      });
    });

    it('requires a token', async () => {
      expect((await http(ctx.app, 'GET', '/api/v1/auth/me')).status).toBe(401);
    });
  });

  describe('access tokens', () => {
    let subject: { sub: string; role: string; tid: string };
    beforeAll(async () => {
      const { user, tenant } = await makeTenantWithUser(ctx.app, ctx.database);
      subject = { sub: user.id, role: user.role, tid: tenant.id };
    });
    const inAnHour = () => Math.floor(Date.now() / 1000) + 3600;

    it('accepts a well-formed token signed with JWT_SECRET (control for the cases below)', async () => {
      const token = await accessToken(subject, { secret: ctx.config.JWT_SECRET, expiresAt: inAnHour() });
      expect((await me(ctx.app, token)).status).toBe(200);
    });

    it('rejects an expired token with 401', async () => {
      const now = Math.floor(Date.now() / 1000);
      const token = await accessToken(subject, {
        secret: ctx.config.JWT_SECRET,
        issuedAt: now - 3600,
        expiresAt: now - 60,
      });
      const res = await me(ctx.app, token);
      expect(res.status).toBe(401);
      expect(res.body.message).toMatch(/expired/);
    });

    it('rejects a token signed with another secret with 401', async () => {
      const token = await accessToken(subject, {
        secret: 'some-other-secret-0123456789abcdef0123',
        expiresAt: inAnHour(),
      });
      expect((await me(ctx.app, token)).status).toBe(401);
    });

    it('rejects a token signed with the refresh secret with 401', async () => {
      const token = await accessToken(subject, {
        secret: ctx.config.JWT_REFRESH_SECRET,
        expiresAt: inAnHour(),
      });
      expect((await me(ctx.app, token)).status).toBe(401);
    });

    it('rejects an unsigned (alg "none") token with 401', async () => {
      const token = new UnsecuredJWT({ role: subject.role, tid: subject.tid })
        .setSubject(subject.sub)
        .setIssuer('orbitdesk')
        .setAudience('api')
        .setExpirationTime(inAnHour())
        .encode();
      expect((await me(ctx.app, token)).status).toBe(401);
    });

    it('rejects garbage and a non-Bearer scheme with 401', async () => {
      expect((await me(ctx.app, 'not.a.jwt')).status).toBe(401);
      const basic = await http(ctx.app, 'GET', '/api/v1/auth/me', {
        headers: { authorization: 'Basic Zm9vOmJhcg==' },
      });
      expect(basic.status).toBe(401);
    });
  });

  describe('refresh cookie', () => {
    it('is HttpOnly, SameSite=Strict, scoped to /api/v1/auth, lasts 7 days, and is not Secure outside production', async () => {
      const { user } = await makeTenantWithUser(ctx.app, ctx.database);
      const cookie = refreshSetCookie(await loginAttempt(ctx.app, user.email, DEFAULT_PASSWORD));
      expect(cookie?.value).toBeTruthy();
      expect(cookie!.attrs).toMatchObject({ httponly: true, samesite: 'Strict', path: '/api/v1/auth' });
      expect(cookie!.attrs.secure).toBeUndefined();
      const days = (Date.parse(String(cookie!.attrs.expires)) - Date.now()) / 86_400_000;
      expect(days).toBeGreaterThan(6.9);
      expect(days).toBeLessThanOrEqual(7);
    });

    it('is Secure when NODE_ENV=production', async () => {
      const prod = await startTestApp({ env: { NODE_ENV: 'production' } });
      try {
        const tenant = await makeTenant(prod.database);
        const user = await makeUser(prod.database, tenant.id);
        const cookie = refreshSetCookie(await loginAttempt(prod.app, user.email, DEFAULT_PASSWORD));
        expect(cookie!.attrs).toMatchObject({
          secure: true,
          httponly: true,
          samesite: 'Strict',
          path: '/api/v1/auth',
        });
      } finally {
        await prod.close();
      }
    });
  });

  describe('refresh rotation', () => {
    it('issues a new access token and a different cookie; the old cookie then fails', async () => {
      const { user } = await makeTenantWithUser(ctx.app, ctx.database);
      const { refreshCookie: first } = await login(ctx.app, user.email);

      const res = await refresh(ctx.app, first);
      expect(res.status).toBe(200);
      const second = refreshSetCookie(res)?.value;
      expect(second).toBeTruthy();
      expect(second).not.toBe(first);
      const meRes = await me(ctx.app, res.body.accessToken);
      expect(meRes.body.id).toBe(user.id);

      expect((await refresh(ctx.app, first)).status).toBe(401);
    });

    it('keeps rotating along the chain', async () => {
      const { user } = await makeTenantWithUser(ctx.app, ctx.database);
      let cookie = (await login(ctx.app, user.email)).refreshCookie;
      for (let i = 0; i < 3; i++) {
        const res = await refresh(ctx.app, cookie);
        expect(res.status).toBe(200);
        cookie = refreshSetCookie(res)!.value;
      }
    });

    it('works for the superadmin', async () => {
      const { email, password } = superadmin(ctx);
      const { refreshCookie } = await login(ctx.app, email, password);
      const res = await refresh(ctx.app, refreshCookie);
      expect(res.status).toBe(200);
      expect(res.body.user).toMatchObject({ role: 'SUPERADMIN', tenant: null });
    });

    it('answers 401 without a cookie and with a forged one, and clears the cookie', async () => {
      const missing = await refresh(ctx.app);
      expect(missing.status).toBe(401);
      const forged = await refresh(ctx.app, 'eyJhbGciOiJIUzI1NiJ9.e30.c2lnbmF0dXJl');
      expect(forged.status).toBe(401);
      expect(refreshSetCookie(forged)?.value).toBe('');
    });
  });

  describe('refresh reuse detection', () => {
    it('answers 401 to an already-rotated token and revokes the newest token of its family', async () => {
      const { user } = await makeTenantWithUser(ctx.app, ctx.database);
      const { refreshCookie: stolen } = await login(ctx.app, user.email);
      const newest = refreshSetCookie(await refresh(ctx.app, stolen))!.value;

      const replay = await refresh(ctx.app, stolen);
      expect(replay.status).toBe(401);
      expect(replay.body.message).toMatch(/already used/);

      const afterReplay = await refresh(ctx.app, newest);
      expect(afterReplay.status).toBe(401);
      const familyId = String(decodeJwt(stolen!).fam);
      const family = await ctx.database.unsafe
        .select()
        .from(refreshTokens)
        .where(eq(refreshTokens.familyId, familyId));
      expect(family).toHaveLength(2);
      expect(family.every((row) => row.revokedAt !== null)).toBe(true);
    });

    it('leaves other logins of the same user alone', async () => {
      const { user } = await makeTenantWithUser(ctx.app, ctx.database);
      const { refreshCookie: otherDevice } = await login(ctx.app, user.email);
      const { refreshCookie: stolen } = await login(ctx.app, user.email);
      await refresh(ctx.app, stolen);
      expect((await refresh(ctx.app, stolen)).status).toBe(401);
      expect((await refresh(ctx.app, otherDevice)).status).toBe(200);
    });
  });

  describe('logout', () => {
    it('revokes the family, clears the cookie, and leaves other logins alone', async () => {
      const { user } = await makeTenantWithUser(ctx.app, ctx.database);
      const { refreshCookie: otherDevice } = await login(ctx.app, user.email);
      const { refreshCookie: first } = await login(ctx.app, user.email);
      const rotated = refreshSetCookie(await refresh(ctx.app, first))!.value;

      const res = await http(ctx.app, 'POST', '/api/v1/auth/logout', { cookies: { od_refresh: rotated } });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ ok: true });
      const cleared = refreshSetCookie(res);
      expect(cleared?.value).toBe('');
      expect(cleared!.attrs.path).toBe('/api/v1/auth');
      expect(Date.parse(String(cleared!.attrs.expires))).toBeLessThan(Date.now());

      const after = await refresh(ctx.app, rotated);
      expect(after.status).toBe(401);
      expect(after.body.message).toMatch(/signed out/);
      expect((await refresh(ctx.app, otherDevice)).status).toBe(200);
    });

    it('succeeds without a cookie', async () => {
      expect((await http(ctx.app, 'POST', '/api/v1/auth/logout')).status).toBe(200);
    });
  });

  describe('tenant suspension', () => {
    // No route accepts API keys yet, so an accepted key is told 403 "not available to API keys" and a refused one 401.
    const apiKeyStatus = async (key: string) =>
      (await http(ctx.app, 'GET', '/api/v1/users', { apiKey: key })).status;

    it("cuts off the tenant's access tokens, refresh cookies and API keys at once; reactivation restores them", async () => {
      const tenant = await makeTenant(ctx.database);
      const admin = await makeUser(ctx.database, tenant.id, { role: 'ADMIN' });
      const { token, refreshCookie } = await login(ctx.app, admin.email);
      const { key } = await makeApiKey(ctx.app, token, ['contacts:read']);
      const bystander = await makeTenantWithUser(ctx.app, ctx.database);
      expect((await me(ctx.app, token)).status).toBe(200);
      expect(await apiKeyStatus(key)).toBe(403);

      const suspended = await decide(ctx, tenant.id, 'suspend', 'Chargeback');
      expect(suspended.status).toBe('SUSPENDED');
      const meRes = await me(ctx.app, token);
      expect(meRes.status).toBe(401);
      expect(meRes.body.message).toMatch(/no longer active/);
      const keyRes = await http(ctx.app, 'GET', '/api/v1/users', { apiKey: key });
      expect(keyRes.status).toBe(401);
      expect(keyRes.body.message).toMatch(/not active/);
      expect((await refresh(ctx.app, refreshCookie)).status).toBe(401);
      expect((await me(ctx.app, bystander.token)).status).toBe(200);

      const reactivated = await decide(ctx, tenant.id, 'reactivate');
      expect(reactivated.status).toBe('ACTIVE');
      expect((await me(ctx.app, token)).status).toBe(200);
      expect(await apiKeyStatus(key)).toBe(403);
      expect((await loginAttempt(ctx.app, admin.email, DEFAULT_PASSWORD)).status).toBe(200);
    });
  });

  describe('user deactivation', () => {
    it('ends the sessions of a deactivated user and refuses their login', async () => {
      const tenant = await makeTenant(ctx.database);
      const admin = await makeUser(ctx.database, tenant.id, { role: 'ADMIN' });
      const agent = await makeUser(ctx.database, tenant.id, { role: 'AGENT' });
      const { token: adminToken } = await login(ctx.app, admin.email);
      const { token, refreshCookie } = await login(ctx.app, agent.email);
      expect((await me(ctx.app, token)).status).toBe(200);

      const res = await http(ctx.app, 'PATCH', `/api/v1/users/${agent.id}`, {
        token: adminToken,
        body: { isActive: false },
      });
      expect(res.status).toBe(200);
      expect(res.body.isActive).toBe(false);

      expect((await me(ctx.app, token)).status).toBe(401);
      expect((await refresh(ctx.app, refreshCookie)).status).toBe(401);
      const again = await loginAttempt(ctx.app, agent.email, DEFAULT_PASSWORD);
      expect(again.status).toBe(403);
      expect(again.body.message).toMatch(/deactivated/);
      expect((await me(ctx.app, adminToken)).status).toBe(200);
    });
  });

  describe('invitations', () => {
    async function invite(adminToken: string) {
      const email = `invitee-${uniq()}@example.test`;
      const res = await http(ctx.app, 'POST', '/api/v1/users', {
        token: adminToken,
        body: { email, name: 'Invitee', role: 'AGENT' },
      });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      const token = new URL(res.body.inviteUrl as string).searchParams.get('token');
      expect(token).toBeTruthy();
      return { email, token: token!, body: res.body };
    }
    const accept = (token: string, password: string) =>
      http(ctx.app, 'POST', '/api/v1/auth/accept-invite', { body: { token, password } });

    it('returns an invitation link; accepting it sets the password and login works', async () => {
      const { token: adminToken } = await makeTenantWithUser(ctx.app, ctx.database);
      const inv = await invite(adminToken);
      expect(inv.body.user).toMatchObject({ email: inv.email, invitePending: true });
      expect(inv.body.inviteUrl).toMatch(/^http:\/\/localhost:3000\/accept-invite\?token=/);
      expect((await loginAttempt(ctx.app, inv.email, 'Chosen-password-1')).status).toBe(401);

      const res = await accept(inv.token, 'Chosen-password-1');
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ ok: true });

      const loggedIn = await loginAttempt(ctx.app, inv.email, 'Chosen-password-1');
      expect(loggedIn.status).toBe(200);
      expect(loggedIn.body.user.role).toBe('AGENT');
    });

    it('refuses a reused token with 400 and keeps the first password', async () => {
      const { token: adminToken } = await makeTenantWithUser(ctx.app, ctx.database);
      const inv = await invite(adminToken);
      expect((await accept(inv.token, 'Chosen-password-1')).status).toBe(200);
      const reused = await accept(inv.token, 'Attacker-password-1');
      expect(reused.status).toBe(400);
      expect((await loginAttempt(ctx.app, inv.email, 'Attacker-password-1')).status).toBe(401);
      expect((await loginAttempt(ctx.app, inv.email, 'Chosen-password-1')).status).toBe(200);
    });

    it('refuses a garbage token and an expired one with 400', async () => {
      const garbage = await accept(randomBytes(32).toString('base64url'), 'Chosen-password-1');
      expect(garbage.status).toBe(400);
      expect(garbage.body.message).toMatch(/invalid or has expired/);
      expect((await accept('short', 'Chosen-password-1')).status).toBe(400);

      const { token: adminToken } = await makeTenantWithUser(ctx.app, ctx.database);
      const inv = await invite(adminToken);
      await ctx.database.unsafe
        .update(users)
        .set({ inviteExpiresAt: new Date(Date.now() - 1000) })
        .where(eq(users.email, inv.email));
      expect((await accept(inv.token, 'Chosen-password-1')).status).toBe(400);
    });
  });
});

describe('login throttling', () => {
  const SLOWDOWN_AFTER = 2;
  const SLOWDOWN_MS = 50;
  const MAX_FAILURES = 4;
  const LOCK_SECONDS = 60;
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await startTestApp({
      env: {
        LOGIN_SLOWDOWN_AFTER: String(SLOWDOWN_AFTER),
        LOGIN_SLOWDOWN_MS: String(SLOWDOWN_MS),
        LOGIN_MAX_FAILURES: String(MAX_FAILURES),
        LOGIN_LOCK_SECONDS: String(LOCK_SECONDS),
      },
    });
  });
  afterAll(() => ctx.close());

  const newUser = async () => makeUser(ctx.database, (await makeTenant(ctx.database)).id);
  const fail = (email: string) => loginAttempt(ctx.app, email, 'Wrong-password-123');
  async function timed(email: string) {
    const started = performance.now();
    const res = await fail(email);
    expect(res.status).toBe(401);
    return performance.now() - started;
  }

  it(`locks the email after ${MAX_FAILURES} failures, even for the right password, with 429 and Retry-After`, async () => {
    const user = await newUser();
    for (let i = 0; i < MAX_FAILURES; i++) expect((await fail(user.email)).status).toBe(401);

    const res = await loginAttempt(ctx.app, user.email, DEFAULT_PASSWORD);
    expect(res.status).toBe(429);
    expect(res.body.accessToken).toBeUndefined();
    const retryAfter = Number(res.headers['retry-after']);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(LOCK_SECONDS);

    // Counted per email: another account is unaffected.
    const other = await newUser();
    expect((await loginAttempt(ctx.app, other.email, DEFAULT_PASSWORD)).status).toBe(200);
  });

  it('counts the email case-insensitively', async () => {
    const user = await newUser();
    for (let i = 0; i < MAX_FAILURES; i++) await fail(i % 2 ? user.email.toUpperCase() : user.email);
    expect((await loginAttempt(ctx.app, user.email, DEFAULT_PASSWORD)).status).toBe(429);
  });

  it('resets the counter on a successful login before the lock', async () => {
    const user = await newUser();
    for (let i = 0; i < MAX_FAILURES - 1; i++) await fail(user.email);
    expect((await loginAttempt(ctx.app, user.email, DEFAULT_PASSWORD)).status).toBe(200);
    for (let i = 0; i < MAX_FAILURES - 1; i++) expect((await fail(user.email)).status).toBe(401);
    // Without the reset this would be failure number 2 × (MAX_FAILURES - 1) and locked.
    expect((await loginAttempt(ctx.app, user.email, DEFAULT_PASSWORD)).status).toBe(200);
  });

  it(`delays attempts after ${SLOWDOWN_AFTER} failures, a little more each time`, async () => {
    const user = await newUser();
    for (let i = 0; i < SLOWDOWN_AFTER; i++) await timed(user.email);
    // Only lower bounds: the password check's own cost varies too much on a busy machine to compare against it.
    expect(await timed(user.email)).toBeGreaterThanOrEqual(SLOWDOWN_MS);
    expect(await timed(user.email)).toBeGreaterThanOrEqual(2 * SLOWDOWN_MS);
  });
});
