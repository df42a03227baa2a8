import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { sql } from 'drizzle-orm';
import type { Database } from '../../src/db/database.js';
import { verifyCallbackSignature } from '../../src/modules/channels/api/api-channel.signature.js';
import { http } from './test-app.js';

/** How many rows of the inbox tables a tenant has (read as the owner, past row-level security). */
export async function countTenantRows(
  database: Database,
  table: 'contacts' | 'contact_identities' | 'conversations' | 'messages',
  tenantId: string,
): Promise<number> {
  const { rows } = await database.unsafe.execute<{ n: number }>(
    sql`select count(*)::int as n from ${sql.identifier(table)} where tenant_id = ${tenantId}`,
  );
  return rows[0]!.n;
}

/** An `api` inbox created through the admin API; `secret` is the one-time inbound secret. */
export async function makeApiInbox(
  app: NestFastifyApplication,
  adminToken: string,
  overrides: { name?: string; callbackUrl?: string } = {},
) {
  const res = await http(app, 'POST', '/api/v1/channels', {
    token: adminToken,
    body: {
      type: 'api',
      name: overrides.name ?? `Inbox ${randomBytes(3).toString('hex')}`,
      config: { callbackUrl: overrides.callbackUrl ?? 'https://example.test/callback' },
    },
  });
  if (res.status !== 201) throw new Error(`inbox creation failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as { id: string; secret: string; webhookUrl: string };
}

export function inbound(
  app: NestFastifyApplication,
  inboxId: string,
  secret: string | undefined,
  body: {
    contact: { identifier: string; name?: string; phone?: string; email?: string };
    message: { id?: string; type: string; content: Record<string, unknown>; timestamp?: string };
  },
) {
  return http(app, 'POST', `/api/v1/channels/api/${inboxId}/messages`, {
    body,
    headers: secret === undefined ? {} : { 'x-inbox-secret': secret },
  });
}

export const textFrom = (identifier: string, text: string, id?: string, name?: string) => ({
  contact: { identifier, ...(name ? { name } : {}) },
  message: { ...(id ? { id } : {}), type: 'text', content: { text } },
});

export interface CallbackRequest {
  headers: IncomingHttpHeaders;
  body: string;
  json: any;
  signatureValid: boolean;
}

/**
 * A loopback receiver of an api inbox's callbacks: records each request, checks its signature with the inbox
 * secret (set `secret` once known), and answers with whatever `respond` returns.
 */
export async function startCallbackServer() {
  const state = {
    secret: '',
    requests: [] as CallbackRequest[],
    respond: (_req: CallbackRequest): { status: number; body?: unknown } => ({ status: 200, body: {} }),
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const header = String(req.headers['x-orbitdesk-signature'] ?? '');
      let json: unknown;
      try {
        json = JSON.parse(body);
      } catch {
        json = undefined;
      }
      const recorded: CallbackRequest = {
        headers: req.headers,
        body,
        json,
        signatureValid: verifyCallbackSignature(state.secret, body, header),
      };
      state.requests.push(recorded);
      const answer = recorded.signatureValid
        ? state.respond(recorded)
        : { status: 401, body: { error: 'bad signature' } };
      res.writeHead(answer.status, { 'content-type': 'application/json' });
      res.end(answer.body === undefined ? '' : JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    state,
    url: `http://127.0.0.1:${port}/callback`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
