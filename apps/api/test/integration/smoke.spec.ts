import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { http, startTestApp, type TestContext } from '../support/test-app.js';
import { makeTenantWithUser } from '../support/factories.js';

describe('smoke', () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await startTestApp();
  });
  afterAll(() => ctx.close());

  it('health is up and a user reaches /auth/me', async () => {
    expect((await http(ctx.app, 'GET', '/api/v1/health')).body).toEqual({
      status: 'ok',
      checks: { postgres: 'up', redis: 'up' },
    });
    const { token, user } = await makeTenantWithUser(ctx.app, ctx.database);
    const me = await http(ctx.app, 'GET', '/api/v1/auth/me', { token });
    expect(me.status).toBe(200);
    expect(me.body.email).toBe(user.email);
  });

  it('every answer carries the security headers, errors and unknown routes too', async () => {
    for (const [method, path, status] of [
      ['GET', '/api/v1/health', 200],
      ['GET', '/api/v1/auth/me', 401],
      ['GET', '/api/v1/no-such-route', 404],
    ] as const) {
      const res = await http(ctx.app, method, path);
      expect(res.status).toBe(status);
      expect(res.headers['content-security-policy']).toContain("default-src 'self'");
      expect(res.headers['content-security-policy']).toContain("img-src 'self' data:");
      expect(res.headers['content-security-policy']).toContain("style-src 'self' 'unsafe-inline'");
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
      expect(res.headers['strict-transport-security']).toMatch(/^max-age=\d+; includeSubDomains$/);
      expect(res.headers['referrer-policy']).toBe('no-referrer');
      expect(res.headers['cross-origin-opener-policy']).toBe('same-origin');
      expect(res.headers['x-powered-by']).toBeUndefined();
    }
  });
});
