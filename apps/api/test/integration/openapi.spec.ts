import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listRoutes } from '../../src/openapi/route-table.js';
import { http, startTestApp, type TestContext } from '../support/test-app.js';

const COMMITTED = fileURLToPath(new URL('../../openapi.json', import.meta.url));
const REGENERATE =
  'run `pnpm --filter @orbitdesk/api build && pnpm --filter @orbitdesk/api openapi:generate` and commit apps/api/openapi.json';

type Json = Record<string, any>;

describe('OpenAPI', () => {
  describe('with docs enabled', () => {
    let ctx: TestContext;
    let doc: Json;

    beforeAll(async () => {
      ctx = await startTestApp();
      const res = await http(ctx.app, 'GET', '/api/docs-json');
      expect(res.status).toBe(200);
      doc = res.body as Json;
    });
    afterAll(() => ctx.close());

    it('serves exactly the committed apps/api/openapi.json', () => {
      expect(existsSync(COMMITTED), `apps/api/openapi.json is missing: ${REGENERATE}`).toBe(true);
      const committed = JSON.parse(readFileSync(COMMITTED, 'utf8')) as Json;
      expect(
        doc,
        `the served OpenAPI document differs from the committed apps/api/openapi.json: ${REGENERATE}`,
      ).toEqual(committed);
    });

    it('serves Swagger UI as HTML at /api/docs, with its assets', async () => {
      const page = await http(ctx.app, 'GET', '/api/docs');
      expect(page.status).toBe(200);
      expect(page.headers['content-type']).toMatch(/^text\/html/);
      expect(page.body).toContain('<div id="swagger-ui">');
      const init = await http(ctx.app, 'GET', '/api/docs/init.js');
      expect(init.status).toBe(200);
      expect(init.body).toContain("url: '/api/docs-json'");
      const bundle = await http(ctx.app, 'GET', '/api/docs/static/swagger-ui-bundle.js');
      expect(bundle.status).toBe(200);
      expect(bundle.headers['content-type']).toMatch(/javascript/);
    });

    it('documents every route the app has, and nothing else', () => {
      const documented = Object.entries(doc.paths as Record<string, Json>).flatMap(([path, ops]) =>
        Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`),
      );
      const actual = listRoutes(ctx.app).map((r) => `${r.method} ${r.path}`);
      expect(documented.sort()).toEqual(actual.sort());
    });

    it('describes POST /api/v1/auth/login with its request and response schemas', () => {
      const op = doc.paths['/api/v1/auth/login']?.post as Json | undefined;
      expect(op, 'POST /api/v1/auth/login is not documented').toBeDefined();
      expect(op!.security).toEqual([]);
      const request = op!.requestBody.content['application/json'].schema as Json;
      expect(request.type).toBe('object');
      expect(request.properties).toHaveProperty('email');
      expect(request.properties).toHaveProperty('password');
      expect(request.required).toEqual(expect.arrayContaining(['email', 'password']));
      const ok = op!.responses['200'].content['application/json'].schema as Json;
      expect(ok.type).toBe('object');
      expect(ok.properties).toHaveProperty('accessToken');
      expect(op!.responses['401'].content['application/json'].schema).toEqual({
        $ref: '#/components/schemas/Error',
      });
      expect(doc.components.schemas.Error.properties).toHaveProperty('message');
    });

    it('documents who may call each route', () => {
      const self = doc.paths['/api/v1/api-keys/self'].get as Json;
      expect(self.security).toEqual([{ apiKey: [] }]);
      expect(self.description).toContain('Any valid API key');
      expect(Object.keys(self.responses['200'].content['application/json'].schema.properties).sort()).toEqual(
        ['expiresAt', 'id', 'lastUsedAt', 'name', 'prefix', 'scopes'],
      );
      const list = doc.paths['/api/v1/api-keys'].get as Json;
      expect(list.security).toEqual([{ bearer: [] }]);
      expect(list.description).toContain('Not available to API keys');
      expect(doc.components.securitySchemes).toMatchObject({
        bearer: { scheme: 'bearer' },
        apiKey: { in: 'header', name: 'X-Api-Key' },
      });
    });
  });

  describe('with API_DOCS=false', () => {
    let ctx: TestContext;
    beforeAll(async () => {
      ctx = await startTestApp({ env: { API_DOCS: 'false' } });
    });
    afterAll(() => ctx.close());

    it('serves neither the UI nor the document', async () => {
      expect((await http(ctx.app, 'GET', '/api/docs')).status).toBe(404);
      expect((await http(ctx.app, 'GET', '/api/docs-json')).status).toBe(404);
      expect((await http(ctx.app, 'GET', '/api/docs/init.js')).status).toBe(404);
      expect((await http(ctx.app, 'GET', '/api/v1/health')).status).toBe(200);
    });
  });
});
