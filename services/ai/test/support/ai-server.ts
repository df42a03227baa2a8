import type { FastifyInstance } from 'fastify';
import { SignJWT } from 'jose';
import { buildAiServer } from '../../src/index.js';

export const TEST_SECRET = 'ai-service-test-secret-0123456789abcdef';
export const TENANT_ID = '7d1f6c1e-0d7e-4a57-9a61-3c3c1f2b9e01';

export interface TokenOptions {
  tenantId?: string | null;
  secret?: string;
  issuer?: string;
  audience?: string;
  /** Seconds from iat to exp. */
  lifetimeSeconds?: number;
  /** Seconds to shift iat by (negative: issued in the past). */
  issuedAtOffsetSeconds?: number;
}

/** An internal token as the API mints it (apps/api/src/common/ai/internal-jwt.ts), with knobs to break it. */
export function signToken(opts: TokenOptions = {}): Promise<string> {
  const iat = Math.floor(Date.now() / 1000) + (opts.issuedAtOffsetSeconds ?? 0);
  const claims = opts.tenantId === null ? {} : { tenantId: opts.tenantId ?? TENANT_ID };
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuer(opts.issuer ?? 'orbitdesk-api')
    .setAudience(opts.audience ?? 'orbitdesk-ai')
    .setSubject(opts.tenantId ?? TENANT_ID)
    .setIssuedAt(iat)
    .setExpirationTime(iat + (opts.lifetimeSeconds ?? 120))
    .sign(new TextEncoder().encode(opts.secret ?? TEST_SECRET));
}

export interface TestAiServer {
  app: FastifyInstance;
  url: string;
  /** POST JSON with a fresh valid token unless `token` is given (null: no Authorization header). */
  post(path: string, body: unknown, token?: string | null): Promise<{ status: number; body: any }>;
  close(): Promise<void>;
}

export async function startAiServer(): Promise<TestAiServer> {
  const app = await buildAiServer({ internalJwtSecret: TEST_SECRET, logLevel: 'silent' });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  return {
    app,
    url,
    async post(path, body, token) {
      const bearer = token === undefined ? await signToken() : token;
      const res = await fetch(`${url}${path}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(bearer === null ? {} : { authorization: `Bearer ${bearer}` }),
        },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : null };
    },
    close: () => app.close(),
  };
}
