import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/app-config.js';

const ENCRYPTION_KEY = Buffer.alloc(32, 3).toString('base64');

/** The smallest environment loadConfig accepts. */
function validEnv(overrides: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  return {
    DATABASE_URL: 'postgres://app@db.internal:5432/orbitdesk',
    REDIS_URL: 'redis://cache.internal:6379',
    JWT_SECRET: 'access-secret-0123456789abcdef0123456789',
    JWT_REFRESH_SECRET: 'refresh-secret-0123456789abcdef012345678',
    INTERNAL_JWT_SECRET: 'internal-secret-0123456789abcdef01234567',
    ENCRYPTION_KEY,
    ...overrides,
  };
}

/** The problems loadConfig reports for an environment; fails the test if it accepts it. */
function problemsOf(env: NodeJS.ProcessEnv): string[] {
  try {
    loadConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems;
  }
  throw new Error('loadConfig accepted an invalid environment');
}

describe('loadConfig', () => {
  describe('missing and invalid variables', () => {
    it('reports every missing required variable on its own line, naming it', () => {
      const problems = problemsOf({});
      expect(problems).toEqual([
        'DATABASE_URL: is required',
        'REDIS_URL: is required',
        'JWT_SECRET: is required',
        'JWT_REFRESH_SECRET: is required',
        'ENCRYPTION_KEY: is required',
        'INTERNAL_JWT_SECRET: is required',
      ]);
    });

    it('reports all problems at once, one message line each', () => {
      const env = validEnv({ DATABASE_URL: undefined, JWT_SECRET: undefined, ENCRYPTION_KEY: 'c2hvcnQ=' });
      let error: unknown;
      try {
        loadConfig(env);
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(ConfigError);
      const { problems, message } = error as ConfigError;
      expect(problems.map((p) => p.split(':')[0])).toEqual(['DATABASE_URL', 'JWT_SECRET', 'ENCRYPTION_KEY']);
      expect(message.split('\n')).toEqual(['Invalid configuration:', ...problems.map((p) => `  - ${p}`)]);
    });

    it('treats an empty value as missing', () => {
      expect(problemsOf(validEnv({ DATABASE_URL: '' }))).toEqual(['DATABASE_URL: is required']);
    });

    it.each([
      ['16 bytes', Buffer.alloc(16, 1).toString('base64')],
      ['33 bytes', Buffer.alloc(33, 1).toString('base64')],
      ['not base64', 'this is not a key!'],
    ])('names ENCRYPTION_KEY when it is %s', (_, key) => {
      const problems = problemsOf(validEnv({ ENCRYPTION_KEY: key }));
      expect(problems).toHaveLength(1);
      expect(problems[0]).toMatch(/^ENCRYPTION_KEY: must be 32 bytes/);
    });

    it.each(['abc', '0', '70000', '80.5'])('names PORT when it is %j', (port) => {
      const problems = problemsOf(validEnv({ PORT: port }));
      expect(problems).toHaveLength(1);
      expect(problems[0]).toMatch(/^PORT: /);
    });

    it('names a URL with the wrong scheme', () => {
      const problems = problemsOf(validEnv({ DATABASE_URL: 'mysql://db/app', REDIS_URL: 'not a url' }));
      expect(problems).toEqual([
        expect.stringMatching(/^DATABASE_URL: must be a URL/),
        expect.stringMatching(/^REDIS_URL: must be a URL/),
      ]);
    });

    it('names a JWT secret shorter than 32 characters', () => {
      expect(problemsOf(validEnv({ JWT_SECRET: 'too-short' }))).toEqual([
        'JWT_SECRET: must be at least 32 characters',
      ]);
    });

    it('rejects equal JWT secrets', () => {
      const secret = 'the-same-secret-0123456789abcdef01234567';
      expect(problemsOf(validEnv({ JWT_SECRET: secret, JWT_REFRESH_SECRET: secret }))).toEqual([
        'JWT_REFRESH_SECRET: must differ from JWT_SECRET',
      ]);
    });

    it('rejects SUPERADMIN_EMAIL without SUPERADMIN_PASSWORD, and the reverse', () => {
      for (const env of [
        validEnv({ SUPERADMIN_EMAIL: 'ops@orbitdesk.test' }),
        validEnv({ SUPERADMIN_PASSWORD: 'Super-secret-pass-1' }),
      ]) {
        const problems = problemsOf(env);
        expect(problems).toHaveLength(1);
        expect(problems[0]).toContain('SUPERADMIN_EMAIL');
        expect(problems[0]).toContain('SUPERADMIN_PASSWORD');
      }
    });

    it('reports the cross-variable rules together with every other problem', () => {
      const secret = 'the-same-secret-0123456789abcdef01234567';
      const env = validEnv({
        DATABASE_URL: undefined,
        JWT_SECRET: secret,
        JWT_REFRESH_SECRET: secret,
        SUPERADMIN_EMAIL: 'ops@orbitdesk.test',
      });
      expect(problemsOf(env)).toEqual([
        'DATABASE_URL: is required',
        'SUPERADMIN_EMAIL/SUPERADMIN_PASSWORD: set both or neither',
        'JWT_REFRESH_SECRET: must differ from JWT_SECRET',
      ]);
    });

    it('names a malformed ENCRYPTION_PREVIOUS_KEYS entry', () => {
      const problems = problemsOf(
        validEnv({ ENCRYPTION_PREVIOUS_KEYS: `old:${Buffer.alloc(8).toString('base64')}` }),
      );
      expect(problems).toHaveLength(1);
      expect(problems[0]).toMatch(/^ENCRYPTION_PREVIOUS_KEYS: entry "old"/);
    });
  });

  describe('defaults and coercion', () => {
    it('applies defaults', () => {
      const config = loadConfig(validEnv());
      expect(config).toMatchObject({
        NODE_ENV: 'development',
        PORT: 3002,
        LOG_LEVEL: 'info',
        DB_POOL_MAX: 20,
        REDIS_KEY_PREFIX: 'od:',
        ENCRYPTION_KEY_ID: 'k1',
        ENCRYPTION_PREVIOUS_KEYS: {},
        CORS_ORIGIN: ['http://localhost:3000'],
        PUBLIC_URL: 'http://localhost:3002',
        WEB_URL: 'http://localhost:3000',
        API_DOCS: true,
        TRUST_PROXY: false,
        RATE_LIMIT_MAX: 100,
        RATE_LIMIT_WINDOW_SECONDS: 60,
        LOGIN_SLOWDOWN_AFTER: 3,
        LOGIN_SLOWDOWN_MS: 500,
        LOGIN_MAX_FAILURES: 10,
        LOGIN_LOCK_SECONDS: 900,
      });
      expect(config.SUPERADMIN_EMAIL).toBeUndefined();
    });

    it('coerces numbers, booleans, lists and previous keys', () => {
      const previous = Buffer.alloc(32, 9);
      const config = loadConfig(
        validEnv({
          PORT: '8080',
          API_DOCS: 'false',
          TRUST_PROXY: '1',
          CORS_ORIGIN: 'https://app.example.com, https://admin.example.com',
          ENCRYPTION_PREVIOUS_KEYS: `k0:${previous.toString('base64')}`,
        }),
      );
      expect(config.PORT).toBe(8080);
      expect(config.API_DOCS).toBe(false);
      expect(config.TRUST_PROXY).toBe(true);
      expect(config.CORS_ORIGIN).toEqual(['https://app.example.com', 'https://admin.example.com']);
      expect(config.ENCRYPTION_PREVIOUS_KEYS.k0?.equals(previous)).toBe(true);
    });
  });
});

describe('main.js with a broken environment', () => {
  const mainJs = fileURLToPath(new URL('../../dist/main.js', import.meta.url));

  function run(
    env: NodeJS.ProcessEnv,
    cwd: string,
  ): Promise<{ code: number | null; stdout: string; stderr: string }> {
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [mainJs], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      child.on('error', reject);
      child.on('close', (code) => {
        clearTimeout(timer);
        resolve({ code, stdout, stderr });
      });
    });
  }

  it('exits 1 printing one line per bad variable and no stack trace', async () => {
    if (!existsSync(mainJs)) {
      throw new Error(
        `${mainJs} is missing: build the API first (pnpm --filter @orbitdesk/api build; scripts/test.sh does)`,
      );
    }
    // main.js loads .env from its working directory and two levels up: both are inside this empty temp dir.
    const root = await mkdtemp(join(tmpdir(), 'od-config-'));
    const cwd = join(root, 'a', 'b');
    await mkdir(cwd, { recursive: true });
    try {
      const { code, stdout, stderr } = await run(
        {
          PATH: process.env.PATH,
          HOME: process.env.HOME,
          REDIS_URL: 'redis://127.0.0.1:6379',
          JWT_REFRESH_SECRET: 'refresh-secret-0123456789abcdef012345678',
          INTERNAL_JWT_SECRET: 'internal-secret-0123456789abcdef01234567',
          ENCRYPTION_KEY: 'bm90LTMyLWJ5dGVz',
        },
        cwd,
      );
      expect(code).toBe(1);
      expect(stdout).toBe('');
      const lines = stderr.trimEnd().split('\n');
      expect(lines[0]).toBe('Invalid configuration:');
      expect(lines.slice(1)).toEqual([
        '  - DATABASE_URL: is required',
        '  - JWT_SECRET: is required',
        expect.stringMatching(/^ {2}- ENCRYPTION_KEY: must be 32 bytes/),
      ]);
      expect(stderr).not.toMatch(/^\s+at /m);
      expect(stderr).not.toMatch(/ConfigError|\.js:\d+/);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
