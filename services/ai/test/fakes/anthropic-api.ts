import { randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { readBody, sendJson, startLoopbackServer } from './loopback-server.js';

/**
 * A loopback Anthropic Messages API (https://docs.anthropic.com/en/api/messages): POST /v1/messages answering
 * content blocks (`text`, `tool_use`), stop_reason `tool_use` / `end_turn`, and usage input/output tokens. It
 * checks the `x-api-key` and `anthropic-version` headers and answers Anthropic's error bodies, and it enforces
 * the tool protocol: every `tool_use` of an assistant turn must be answered by a `tool_result` block with the
 * same `tool_use_id` in the very next user turn, and a `tool_result` must answer a `tool_use`.
 */

export interface ScriptedToolUse {
  id?: string;
  name: string;
  input: Record<string, unknown>;
}

export interface ScriptedMessage {
  text?: string;
  toolUses?: ScriptedToolUse[];
  stopReason?: 'end_turn' | 'tool_use' | 'max_tokens';
  usage?: { inputTokens: number; outputTokens: number };
}

export interface RecordedAnthropicRequest {
  path: string;
  headers: { apiKey: string | undefined; version: string | undefined };
  body: Record<string, any>;
}

function anthropicError(type: string, message: string) {
  return { type: 'error', error: { type, message } };
}

const blocksOf = (content: unknown): any[] => (Array.isArray(content) ? content : []);

/** What Anthropic refuses about a tool conversation, or null. */
export function toolProtocolError(messages: any[]): string | null {
  for (const [i, m] of messages.entries()) {
    const toolUseIds = blocksOf(m.content)
      .filter((b) => b.type === 'tool_use')
      .map((b) => b.id as string);
    const results = blocksOf(m.content).filter((b) => b.type === 'tool_result');
    if (results.length) {
      const previous = messages[i - 1];
      const asked = new Set(
        blocksOf(previous?.content)
          .filter((b) => b.type === 'tool_use')
          .map((b) => b.id as string),
      );
      if (m.role !== 'user' || previous?.role !== 'assistant') {
        return `messages.${i}: tool_result blocks must be in a user turn right after the assistant's tool_use`;
      }
      for (const r of results) {
        if (!asked.has(r.tool_use_id)) {
          return `messages.${i}.content: unexpected \`tool_use_id\` found in \`tool_result\` blocks: ${r.tool_use_id}. Each \`tool_result\` block must have a corresponding \`tool_use\` block in the previous message.`;
        }
      }
    }
    if (toolUseIds.length) {
      if (m.role !== 'assistant') return `messages.${i}: tool_use blocks are only allowed in assistant turns`;
      const answered = new Set(
        blocksOf(messages[i + 1]?.content)
          .filter((b) => b.type === 'tool_result')
          .map((b) => b.tool_use_id as string),
      );
      const missing = toolUseIds.filter((id) => !answered.has(id));
      if (missing.length && i + 1 < messages.length) {
        return `messages.${i + 1}: \`tool_use\` ids were found without \`tool_result\` blocks immediately after: ${missing.join(', ')}. Each \`tool_use\` block must have a corresponding \`tool_result\` block in the next message.`;
      }
      if (i + 1 === messages.length) {
        return `messages.${i}: the conversation must end with a user turn answering the tool_use blocks`;
      }
    }
  }
  return null;
}

export async function startFakeAnthropic(options: { apiKey?: string } = {}) {
  const apiKey = options.apiKey ?? `sk-ant-test-${randomBytes(8).toString('hex')}`;
  const replies: (ScriptedMessage | ((body: Record<string, any>) => ScriptedMessage))[] = [];
  const requests: RecordedAnthropicRequest[] = [];
  let failure: { status: number; remaining: number } | null = null;
  let idCounter = 0;

  const refuse = (res: ServerResponse, message: string) =>
    sendJson(res, 400, anthropicError('invalid_request_error', message));

  function messages(res: ServerResponse, body: Record<string, any>) {
    if (typeof body.model !== 'string') return refuse(res, 'model: Field required');
    if (typeof body.max_tokens !== 'number') return refuse(res, 'max_tokens: Field required');
    if (!Array.isArray(body.messages) || body.messages.length === 0)
      return refuse(res, 'messages: Field required');
    if (body.messages[0].role !== 'user')
      return refuse(res, 'messages: first message must use the "user" role');
    if (body.system !== undefined && typeof body.system !== 'string' && !Array.isArray(body.system)) {
      return refuse(res, 'system: Input should be a valid string');
    }
    for (const tool of body.tools ?? []) {
      if (typeof tool.name !== 'string' || tool.input_schema?.type !== 'object') {
        return refuse(res, 'tools: each tool needs a name and an input_schema of type "object"');
      }
    }
    for (const [i, m] of body.messages.entries()) {
      const empty =
        (typeof m.content === 'string' && m.content === '') ||
        blocksOf(m.content).some((b) => b.type === 'text' && b.text === '');
      if (empty) {
        return refuse(
          res,
          `messages.${i}: all messages must have non-empty content except for the optional final assistant message`,
        );
      }
    }
    const protocol = toolProtocolError(body.messages);
    if (protocol) return refuse(res, protocol);
    const next = replies.shift();
    if (!next)
      return sendJson(res, 500, anthropicError('api_error', 'fake Anthropic: no scripted reply left'));
    const reply = typeof next === 'function' ? next(body) : next;
    const content: any[] = [];
    if (reply.text !== undefined) content.push({ type: 'text', text: reply.text, citations: null });
    for (const use of reply.toolUses ?? []) {
      content.push({
        type: 'tool_use',
        id: use.id ?? `toolu_${String(++idCounter).padStart(4, '0')}${randomBytes(6).toString('hex')}`,
        name: use.name,
        input: use.input,
        caller: { type: 'direct' },
      });
    }
    const usage = reply.usage ?? { inputTokens: 21, outputTokens: 9 };
    sendJson(
      res,
      200,
      {
        id: `msg_${randomBytes(10).toString('hex')}`,
        type: 'message',
        role: 'assistant',
        model: body.model,
        content,
        stop_reason: reply.stopReason ?? (reply.toolUses?.length ? 'tool_use' : 'end_turn'),
        stop_sequence: null,
        usage: {
          input_tokens: usage.inputTokens,
          output_tokens: usage.outputTokens,
          cache_creation_input_tokens: 0,
          cache_read_input_tokens: 0,
        },
      },
      { 'request-id': `req_${randomBytes(8).toString('hex')}` },
    );
  }

  const server = await startLoopbackServer(async (req, res) => {
    const text = await readBody(req);
    const path = (req.url ?? '').split('?')[0]!;
    let body: Record<string, any>;
    try {
      body = text ? JSON.parse(text) : {};
    } catch {
      return refuse(res, 'There was an issue with your request body: invalid JSON');
    }
    const apiKeyHeader = req.headers['x-api-key'] as string | undefined;
    const version = req.headers['anthropic-version'] as string | undefined;
    requests.push({ path, headers: { apiKey: apiKeyHeader, version }, body });
    if (!version) return refuse(res, 'anthropic-version: header is required');
    if (!/^\d{4}-\d{2}-\d{2}$/.test(version))
      return refuse(res, `anthropic-version: invalid version ${version}`);
    if (apiKeyHeader !== apiKey)
      return sendJson(res, 401, anthropicError('authentication_error', 'invalid x-api-key'));
    if (failure && failure.remaining > 0) {
      failure.remaining--;
      if (failure.status === 429) {
        return sendJson(
          res,
          429,
          anthropicError('rate_limit_error', 'Number of request tokens has exceeded your rate limit.'),
          {
            'retry-after': '0',
          },
        );
      }
      return sendJson(res, failure.status, anthropicError('overloaded_error', 'Overloaded'));
    }
    if (req.method === 'POST' && path === '/v1/messages') return messages(res, body);
    sendJson(res, 404, anthropicError('not_found_error', `Not found: ${req.method} ${path}`));
  });

  return {
    apiKey,
    /** The SDK's baseURL (and ZAiProviderConfig.baseUrl); the SDK adds /v1/messages. */
    baseUrl: server.origin,
    requests,
    reply(...next: (ScriptedMessage | ((body: Record<string, any>) => ScriptedMessage))[]) {
      replies.push(...next);
    },
    fail(status: 429 | 500 | 529, times: number) {
      failure = { status, remaining: times };
    },
    close: () => server.close(),
  };
}

export type FakeAnthropic = Awaited<ReturnType<typeof startFakeAnthropic>>;
