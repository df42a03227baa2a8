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
});
