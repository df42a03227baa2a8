import type { FastifyInstance } from 'fastify';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import fastifyStatic from '@fastify/static';

const require = createRequire(import.meta.url);

const PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>OrbitDesk API</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="/api/docs/static/swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="/api/docs/static/swagger-ui-bundle.js"></script>
<script src="/api/docs/init.js"></script></body></html>`;

// A file rather than an inline script, so the page works under Helmet's Content-Security-Policy.
const INIT = `window.ui = SwaggerUIBundle({ url: '/api/docs-json', dom_id: '#swagger-ui', persistAuthorization: true });`;

/** Swagger UI at /api/docs and the OpenAPI document at /api/docs-json. */
export async function registerDocs(
  fastify: FastifyInstance,
  document: Record<string, unknown>,
): Promise<void> {
  const uiRoot = dirname(require.resolve('swagger-ui-dist/package.json'));
  await fastify.register(fastifyStatic, { root: uiRoot, prefix: '/api/docs/static/', decorateReply: false });
  fastify.get('/api/docs', (_req, reply) => reply.type('text/html').send(PAGE));
  fastify.get('/api/docs/init.js', (_req, reply) => reply.type('application/javascript').send(INIT));
  fastify.get('/api/docs-json', (_req, reply) => reply.send(document));
}
