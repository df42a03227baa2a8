import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { createApp } from '../../src/bootstrap.js';
import { loadConfig, type AppConfig } from '../../src/config/app-config.js';
import { Database } from '../../src/db/database.js';
import { createTestDatabase, type TestDatabase } from './test-db.js';
import { TEST_REDIS_URL } from './env.js';

export const TEST_ENCRYPTION_KEY = Buffer.alloc(32, 7).toString('base64');

/** A valid configuration for tests; each file gets its own Redis key prefix so counters never collide. */
export function testConfig(overrides: Partial<Record<string, string>> = {}): AppConfig {
  return loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    DATABASE_URL: 'postgres://root@127.0.0.1:5432/unused',
    REDIS_URL: TEST_REDIS_URL,
    REDIS_KEY_PREFIX: `odt:${randomBytes(4).toString('hex')}:`,
    JWT_SECRET: 'test-access-secret-0123456789abcdef0123',
    INTERNAL_JWT_SECRET: 'test-internal-secret-0123456789abcdef0123',
    JWT_REFRESH_SECRET: 'test-refresh-secret-0123456789abcdef012',
    ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
    SUPERADMIN_EMAIL: 'super@orbitdesk.test',
    SUPERADMIN_PASSWORD: 'Super-secret-pass-1',
    RATE_LIMIT_MAX: '100000',
    LOGIN_SLOWDOWN_MS: '10',
    ...overrides,
  });
}

export interface TestContext {
  app: NestFastifyApplication;
  config: AppConfig;
  db: TestDatabase;
  /** The app's own Database (connecting role; bypasses RLS) for arranging and asserting. */
  database: Database;
  redis: Redis;
  close(): Promise<void>;
}

export interface HttpResult<T = any> {
  status: number;
  body: T;
  headers: Record<string, string | string[] | number | undefined>;
}

/** Starts the real app on a fresh database; pass `db` to start a second instance on the same database. */
export async function startTestApp(
  opts: { env?: Partial<Record<string, string>>; db?: TestDatabase } = {},
): Promise<TestContext> {
  const db = opts.db ?? (await createTestDatabase());
  const config = testConfig({ DATABASE_URL: db.url, ...opts.env });
  const app = await createApp(config);
  await app.getHttpAdapter().getInstance().ready();
  const redis = new Redis(config.REDIS_URL, {
    keyPrefix: config.REDIS_KEY_PREFIX,
    commandTimeout: 2_000,
    maxRetriesPerRequest: 1,
  });
  redis.on('error', () => undefined);
  return {
    app,
    config,
    db,
    database: app.get(Database),
    redis,
    async close() {
      await app.close();
      try {
        const keys = await redis.keys(`${config.REDIS_KEY_PREFIX}*`);
        if (keys.length) await redis.del(...keys.map((k) => k.slice(config.REDIS_KEY_PREFIX.length)));
      } catch {
        // a test that pointed the app at a broken Redis has nothing to clean up there
      }
      redis.disconnect();
      if (!opts.db) await db.drop();
    },
  };
}

/** HTTP through Fastify's injector: the full request path (hooks, guards, filters) without a socket. */
export async function http<T = any>(
  app: NestFastifyApplication,
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE',
  url: string,
  opts: {
    token?: string;
    apiKey?: string;
    body?: unknown;
    headers?: Record<string, string>;
    cookies?: Record<string, string>;
  } = {},
): Promise<HttpResult<T>> {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  if (opts.apiKey) headers['x-api-key'] = opts.apiKey;
  const res = await app
    .getHttpAdapter()
    .getInstance()
    .inject({
      method,
      url,
      headers,
      cookies: opts.cookies,
      ...(opts.body !== undefined ? { payload: opts.body as object } : {}),
    });
  let body: unknown = res.body;
  try {
    body = res.body ? JSON.parse(res.body) : undefined;
  } catch {
    // non-JSON bodies are returned as text
  }
  return { status: res.statusCode, body: body as T, headers: res.headers };
}

/** Follows `nextCursor` from the first page to the last; every page must answer 200. Returns every page. */
export async function allPages<T>(
  app: NestFastifyApplication,
  path: string,
  token: string,
  query: string,
  maxPages = 50,
): Promise<{ items: T[]; nextCursor: string | null }[]> {
  const pages: { items: T[]; nextCursor: string | null }[] = [];
  let cursor: string | null = null;
  do {
    const res: HttpResult<{ items: T[]; nextCursor: string | null }> = await http(
      app,
      'GET',
      `${path}?${query}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      { token },
    );
    if (res.status !== 200) throw new Error(`${path}?${query}: ${res.status} ${JSON.stringify(res.body)}`);
    pages.push(res.body);
    cursor = res.body.nextCursor;
    if (pages.length >= maxPages) throw new Error(`${path}: more than ${maxPages} pages`);
  } while (cursor);
  return pages;
}
