import { mkdtempSync, rmSync } from 'node:fs';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { sql } from 'drizzle-orm';
import type { Socket as ClientSocket } from 'socket.io-client';
import { expect } from 'vitest';
import { AI_TOOLS_AUDIENCE, signInternalToken } from '../../src/common/ai/internal-jwt.js';
import { SecretBox } from '../../src/common/crypto/secret-box.js';
import { aiSettings } from '../../src/db/schema/index.js';
import { RealtimeService } from '../../src/modules/realtime/realtime.service.js';
import { startWorker, type RunningWorker } from '../../src/worker.js';
import { startAiService, type RunningAiService } from '../support/ai-service.js';
import { eventually } from '../support/eventually.js';
import { postMultipart } from '../support/multipart.js';
import { connectAgent } from '../support/sockets.js';
import { http, startTestApp, type TestContext } from '../support/test-app.js';

/** A port nobody listens on right now (the app listens on it next, so its tool-callback URL is known upfront). */
export async function freePort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export interface AgentStack {
  ctx: TestContext;
  worker: RunningWorker;
  ai: RunningAiService | undefined;
  /** The API's own address, where the AI service calls tools back. */
  base: string;
  close(): Promise<void>;
}

/**
 * The whole path on loopback: the real AI service (local provider) in-process, the API listening on a port (the
 * AI service calls its tools back over HTTP) and the worker in-process (it answers). `aiServiceUrl` replaces the
 * AI service (an address nothing answers on, to test failures).
 */
export async function startAgentStack(opts: { aiServiceUrl?: string } = {}): Promise<AgentStack> {
  const ai = opts.aiServiceUrl ? undefined : await startAiService();
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const storage = mkdtempSync(join(tmpdir(), 'od-agents-'));
  const ctx = await startTestApp({
    env: {
      // Uploaded knowledge files.
      STORAGE_LOCAL_DIR: storage,
      AI_SERVICE_URL: opts.aiServiceUrl ?? ai!.url,
      AI_CALLBACK_BASE_URL: base,
      AI_REQUEST_TIMEOUT_MS: '20000',
      // The api inboxes' callbacks go to a loopback receiver.
      OUTBOUND_ALLOW_PRIVATE_NETWORKS: 'true',
    },
  });
  await ctx.app.listen({ port, host: '127.0.0.1' });
  const worker = await startWorker(ctx.config);
  return {
    ctx,
    worker,
    ai,
    base,
    async close() {
      await worker.close();
      await ctx.close();
      await ai?.close();
      rmSync(storage, { recursive: true, force: true });
    },
  };
}

export async function makeAgent(ctx: TestContext, token: string, body: Record<string, unknown>) {
  const res = await http(ctx.app, 'POST', '/api/v1/chat-agents', { token, body });
  if (res.status !== 201) throw new Error(`agent creation failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as { id: string; name: string; inboxIds: string[]; knowledgeBaseIds: string[] };
}

export type RunRow = {
  id: string;
  agent_id: string | null;
  message_id: string;
  reply: string | null;
  fallback_used: boolean;
  fallback_reason: string | null;
  handoff: boolean;
  handoff_reason: string | null;
  iterations: number;
  tool_calls: { name: string; arguments: Record<string, unknown>; ok: boolean; result: unknown }[];
  citations: { chunkId: string; sourceId: string; sourceName: string }[];
  error: string | null;
};

export const runsOf = async (ctx: TestContext, conversationId: string) =>
  (
    await ctx.database.unsafe.execute<RunRow>(
      sql`select * from ai_agent_runs where conversation_id = ${conversationId} order by created_at`,
    )
  ).rows;

/** The run of one inbound message, once the worker has written it. */
export const runOf = (ctx: TestContext, messageId: string, timeoutMs = 15_000) =>
  eventually(async () => {
    const { rows } = await ctx.database.unsafe.execute<RunRow>(
      sql`select * from ai_agent_runs where message_id = ${messageId}`,
    );
    expect(rows).toHaveLength(1);
    return rows[0]!;
  }, timeoutMs);

export type MessageRow = {
  id: string;
  direction: 'in' | 'out';
  text: string | null;
  sender_type: string;
  sender_id: string | null;
  is_private: boolean;
  status: string;
};

export const messagesOf = async (ctx: TestContext, conversationId: string) =>
  (
    await ctx.database.unsafe.execute<MessageRow>(
      sql`select id, direction, content->>'text' as text, sender_type, sender_id, is_private, status
          from messages where conversation_id = ${conversationId} order by created_at, id`,
    )
  ).rows;

export type ConversationState = {
  chat_agent_id: string | null;
  ai_handoff_at: string | null;
  assignee_id: string | null;
  status: string;
};

export const conversationState = async (ctx: TestContext, id: string) =>
  (
    await ctx.database.unsafe.execute<ConversationState>(
      sql`select chat_agent_id, ai_handoff_at, assignee_id, status from conversations where id = ${id}`,
    )
  ).rows[0]!;

/** A tool token as the reply pipeline mints it (tests vary its claims, secret and lifetime). */
export function toolToken(
  secret: string,
  claims: { tenantId: string; agentId: string; conversationId: string; contactId: string; tools: string[] },
  ttlSeconds = 300,
  audience = AI_TOOLS_AUDIENCE,
): Promise<string> {
  return signInternalToken(secret, audience, claims, ttlSeconds);
}

/** Points the workspace's AI settings at an OpenAI-compatible server, with its key sealed like the API does. */
export async function useOpenAiAt(ctx: TestContext, tenantId: string, baseUrl: string, apiKey: string) {
  const sealed = ctx.app.get(SecretBox).encrypt(apiKey, tenantId);
  await ctx.database.unsafe
    .insert(aiSettings)
    .values({
      tenantId,
      provider: 'openai',
      model: 'gpt-4o-mini',
      apiKeySealed: sealed,
      apiKeyLast4: apiKey.slice(-4),
      baseUrl,
      understandingEnabled: false,
    })
    .onConflictDoUpdate({
      target: aiSettings.tenantId,
      set: { provider: 'openai', apiKeySealed: sealed, baseUrl },
    });
}

export interface SeenCompletion {
  authorization: string | undefined;
  body: { model: string; messages: { role: string }[]; tools?: { function: { name: string } }[] };
}

/**
 * A loopback fake of OpenAI's chat-completions API (POST {base}/chat/completions) whose model never stops calling
 * a tool: every answer is a `tool_calls` choice in the API's real wire format. Checks the bearer key.
 */
export async function startLoopingOpenAi(apiKey: string, tool: string) {
  const seen: SeenCompletion[] = [];
  let n = 0;
  const server: Server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const authorization = req.headers.authorization;
      res.setHeader('content-type', 'application/json');
      if (req.method !== 'POST' || !req.url?.endsWith('/chat/completions')) {
        res.statusCode = 404;
        res.end(JSON.stringify({ error: { message: 'not found', type: 'invalid_request_error' } }));
        return;
      }
      if (authorization !== `Bearer ${apiKey}`) {
        res.statusCode = 401;
        res.end(
          JSON.stringify({ error: { message: 'Incorrect API key provided', type: 'invalid_request_error' } }),
        );
        return;
      }
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as SeenCompletion['body'];
      seen.push({ authorization, body });
      n += 1;
      res.end(
        JSON.stringify({
          id: `chatcmpl-fake-${n}`,
          object: 'chat.completion',
          created: Math.floor(Date.now() / 1000),
          model: body.model,
          choices: [
            {
              index: 0,
              message: {
                role: 'assistant',
                content: null,
                tool_calls: [
                  { id: `call_${n}`, type: 'function', function: { name: tool, arguments: '{}' } },
                ],
                refusal: null,
              },
              logprobs: null,
              finish_reason: 'tool_calls',
            },
          ],
          usage: { prompt_tokens: 12, completion_tokens: 7, total_tokens: 19 },
        }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    seen,
    baseUrl: `http://127.0.0.1:${port}/v1`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A knowledge base with one uploaded text file, indexed by the worker. */
export async function knowledgeBaseWithFile(
  ctx: TestContext,
  token: string,
  file: { name: string; text: string; contentType?: string },
) {
  const kb = await http(ctx.app, 'POST', '/api/v1/knowledge-bases', {
    token,
    body: { name: `KB ${file.name} ${Math.random().toString(36).slice(2, 8)}` },
  });
  if (kb.status !== 201)
    throw new Error(`knowledge base not created: ${kb.status} ${JSON.stringify(kb.body)}`);
  const uploaded = await postMultipart(
    ctx.app,
    `/api/v1/knowledge-bases/${kb.body.id}/sources/upload`,
    [
      {
        kind: 'file',
        name: 'file',
        fileName: file.name,
        contentType: file.contentType ?? 'text/plain',
        data: Buffer.from(file.text),
      },
    ],
    { token },
  );
  if (uploaded.status >= 300) {
    throw new Error(`upload refused: ${uploaded.status} ${JSON.stringify(uploaded.body)}`);
  }
  const sourceId = (uploaded.body as { id: string }).id;
  const deadline = Date.now() + 20_000;
  for (;;) {
    const res = await http(ctx.app, 'GET', `/api/v1/knowledge-bases/${kb.body.id}/sources/${sourceId}`, {
      token,
    });
    if (res.body.status === 'ready') break;
    // A failed source never becomes ready: say why at once.
    if (res.body.status === 'failed' || Date.now() > deadline) {
      throw new Error(`source ${file.name} not indexed: ${JSON.stringify(res.body)}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { id: kb.body.id as string, sourceId };
}

/**
 * Puts agents online through real sockets on the stack's listening API (test/support/online-agents.ts listens
 * on a port of its own, which an app already listening cannot).
 */
export function onlineOn(stack: AgentStack) {
  const open = new Set<ClientSocket>();
  const realtime = stack.ctx.app.get(RealtimeService);
  return {
    async connect(token: string, tenantId: string, userId: string): Promise<void> {
      const socket = await connectAgent(stack.base, token);
      open.add(socket);
      await eventually(async () => expect(await realtime.isOnline(tenantId, userId)).toBe(true), 3_000);
    },
    async closeAll(): Promise<void> {
      for (const socket of open) socket.disconnect();
      open.clear();
      await new Promise((r) => setTimeout(r, 100));
    },
  };
}
