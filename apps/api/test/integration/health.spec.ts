import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { http, startTestApp, type TestContext } from '../support/test-app.js';

/** A TCP port that accepts connections and never answers: a Redis that is "up" on the network but hung. */
async function silentPort(): Promise<{ server: Server; port: number }> {
  const server = createServer(() => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as { port: number }).port };
}

describe('GET /api/v1/health', () => {
  let healthy: TestContext;
  let broken: TestContext;
  let silent: Awaited<ReturnType<typeof silentPort>>;

  beforeAll(async () => {
    healthy = await startTestApp();
    silent = await silentPort();
    broken = await startTestApp({ env: { REDIS_URL: `redis://127.0.0.1:${silent.port}` } });
  });
  afterAll(async () => {
    await healthy.close();
    await broken.close();
    silent.server.close();
  });

  it('answers 200 when Postgres and Redis answer', async () => {
    const res = await http(healthy.app, 'GET', '/api/v1/health');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok', checks: { postgres: 'up', redis: 'up' } });
  });

  it('answers 503 naming Redis when Redis does not answer, and the rest of the API keeps serving', async () => {
    const res = await http(broken.app, 'GET', '/api/v1/health');
    expect(res.status).toBe(503);
    expect(res.body).toEqual({ status: 'degraded', checks: { postgres: 'up', redis: 'down' } });
    // The rate limiter fails open, so an outage of Redis does not take the API down with it.
    expect((await http(broken.app, 'GET', '/api/v1/auth/me')).status).toBe(401);
  });
});
