// Serves the built web app and passes /api and /socket.io (WebSockets included) to the API, so the browser
// sees one origin: the refresh cookie (SameSite=Strict, path /api/v1/auth) and the socket need nothing else.
//   WEB_PORT (default 3000), WEB_HOST (default 0.0.0.0), API_URL (default http://localhost:3002)
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import proxy from '@fastify/http-proxy';
import fastifyStatic from '@fastify/static';
import Fastify from 'fastify';

export const DEFAULT_DIST_DIR = fileURLToPath(new URL('./dist', import.meta.url));

/** Proxied requests carry who really asked; the API believes it only with TRUST_PROXY=true. */
function forwardedHeaders(headers, request) {
  const prior = headers['x-forwarded-for'];
  return {
    ...headers,
    'x-forwarded-for': prior ? `${prior}, ${request.ip}` : request.ip,
    'x-forwarded-proto': request.protocol,
    'x-forwarded-host': request.headers.host ?? '',
  };
}

/**
 * Starts the server and resolves once it listens.
 * @param {{ port?: number, host?: string, apiUrl?: string, distDir?: string, logger?: boolean }} [options]
 * @returns {Promise<{ url: string, close: () => Promise<void> }>}
 */
export async function startWebServer(options = {}) {
  const distDir = resolve(options.distDir ?? DEFAULT_DIST_DIR);
  const indexFile = join(distDir, 'index.html');
  if (!existsSync(indexFile)) {
    throw new Error(`${indexFile} is missing: build the web app first (pnpm --filter @orbitdesk/web build)`);
  }
  const apiUrl = options.apiUrl ?? 'http://localhost:3002';
  const app = Fastify({ logger: options.logger ?? false, trustProxy: false });

  for (const prefix of ['/api', '/socket.io']) {
    await app.register(proxy, {
      upstream: apiUrl,
      prefix,
      rewritePrefix: prefix,
      websocket: prefix === '/socket.io',
      replyOptions: { rewriteRequestHeaders: (request, headers) => forwardedHeaders(headers, request) },
    });
  }

  await app.register(fastifyStatic, {
    root: distDir,
    wildcard: false,
    index: false,
    cacheControl: false,
    setHeaders(reply, path) {
      // File names under assets/ carry a content hash; everything else must be checked again.
      const hashed = path.startsWith(join(distDir, 'assets'));
      reply.header('cache-control', hashed ? 'public, max-age=31536000, immutable' : 'no-cache');
    },
  });

  // Every other GET is a page of the single-page app: React Router decides what it shows.
  app.setNotFoundHandler((request, reply) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      return reply.code(404).send({ statusCode: 404, error: 'Not Found', message: 'Not found' });
    }
    return reply.header('cache-control', 'no-cache').sendFile('index.html');
  });

  // Proxied websockets are upgraded connections the HTTP server no longer tracks: close() ends them itself, so
  // stopping the server never waits on a browser tab (and the API behind it sees the socket go).
  const upgraded = new Set();
  app.server.on('upgrade', (_request, socket) => {
    upgraded.add(socket);
    socket.on('close', () => upgraded.delete(socket));
  });

  const port = options.port ?? 3000;
  const host = options.host ?? '0.0.0.0';
  await app.listen({ port, host });
  const address = app.server.address();
  const boundPort = typeof address === 'object' && address ? address.port : port;
  return {
    url: `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${boundPort}`,
    close: () => {
      for (const socket of upgraded) socket.destroy();
      return app.close();
    },
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const apiUrl = process.env.API_URL ?? 'http://localhost:3002';
  startWebServer({
    port: Number(process.env.WEB_PORT ?? 3000),
    host: process.env.WEB_HOST ?? '0.0.0.0',
    apiUrl,
    logger: true,
  }).then(
    (server) => {
      console.log(`OrbitDesk web app on ${server.url} (API ${apiUrl})`);
      const stop = () => void server.close().then(() => process.exit(0));
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    },
    (err) => {
      console.error(err instanceof Error ? err.message : err);
      process.exit(1);
    },
  );
}
