import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listRoutes, type RouteInfo } from '../../src/openapi/route-table.js';
import { http, startTestApp, type TestContext } from '../support/test-app.js';

const describeRoute = (r: RouteInfo) => `${r.method} ${r.path} (${r.controller}.${r.handler})`;

/**
 * Deny by default, checked over the whole route table (after immich's controllers/index.spec.ts): every route
 * is either @Public() or declares who may call it, and the guarded ones really refuse anonymous callers.
 */
describe('route table', () => {
  let ctx: TestContext;
  let routes: RouteInfo[];

  beforeAll(async () => {
    ctx = await startTestApp();
    routes = listRoutes(ctx.app);
  });
  afterAll(() => ctx.close());

  it('finds the routes of every module', () => {
    const paths = new Set(routes.map((r) => `${r.method} ${r.path}`));
    for (const known of [
      'GET /api/v1/health',
      'POST /api/v1/auth/login',
      'GET /api/v1/api-keys',
      'GET /api/v1/api-keys/self',
      'GET /api/v1/users/{id}',
      'POST /api/v1/platform/tenants/{id}/suspend',
    ]) {
      expect(paths, `${known} is missing from listRoutes()`).toContain(known);
    }
    expect(
      new Set(routes.map((r) => `${r.method} ${r.path}`)).size,
      'two handlers share one method and path',
    ).toBe(routes.length);
  });

  it('every route is @Public() or declares @Roles/@Scopes', () => {
    const offenders = routes.filter((r) => !r.isPublic && !r.roles && !r.scopes).map(describeRoute);
    expect(
      offenders,
      `routes without an access policy (add @Public(), @Roles or @Scopes):\n  ${offenders.join('\n  ')}`,
    ).toEqual([]);
  });

  it('no route is both public and restricted', () => {
    const offenders = routes.filter((r) => r.isPublic && (r.roles || r.scopes)).map(describeRoute);
    expect(
      offenders,
      `public routes that also declare roles or scopes (which one is meant?):\n  ${offenders.join('\n  ')}`,
    ).toEqual([]);
  });

  it('every route has a contract', () => {
    const offenders = routes.filter((r) => !r.contract).map(describeRoute);
    expect(
      offenders,
      `routes without @Contract (no validation, missing from OpenAPI):\n  ${offenders.join('\n  ')}`,
    ).toEqual([]);
    const mismatched = routes.filter((r) => r.path.includes('{') && !r.contract?.params).map(describeRoute);
    expect(
      mismatched,
      `routes with path parameters but no params schema:\n  ${mismatched.join('\n  ')}`,
    ).toEqual([]);
  });

  it('every guarded route answers 401 without credentials', async () => {
    const guarded = routes.filter((r) => !r.isPublic);
    expect(guarded.length).toBeGreaterThan(10);
    const offenders: string[] = [];
    for (const route of guarded) {
      const url = route.path.replace(/\{[^}]+\}/g, () => randomUUID());
      const res = await http(
        ctx.app,
        route.method as 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE',
        url,
        route.method === 'GET' || route.method === 'DELETE' ? {} : { body: {} },
      );
      if (res.status !== 401)
        offenders.push(`${describeRoute(route)} → ${res.status} ${JSON.stringify(res.body)}`);
    }
    expect(
      offenders,
      `guarded routes that did not answer 401 to an anonymous caller:\n  ${offenders.join('\n  ')}`,
    ).toEqual([]);
  });

  it('every guarded route answers 401 to a bogus bearer token and to a bogus API key', async () => {
    const offenders: string[] = [];
    for (const route of routes.filter((r) => !r.isPublic)) {
      const url = route.path.replace(/\{[^}]+\}/g, () => randomUUID());
      const method = route.method as 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
      for (const creds of [{ token: 'not.a.jwt' }, { apiKey: `wcrm_${'A'.repeat(43)}` }]) {
        const res = await http(ctx.app, method, url, creds);
        if (res.status !== 401)
          offenders.push(`${describeRoute(route)} with ${Object.keys(creds)[0]} → ${res.status}`);
      }
    }
    expect(
      offenders,
      `guarded routes that did not refuse invalid credentials:\n  ${offenders.join('\n  ')}`,
    ).toEqual([]);
  });
});
