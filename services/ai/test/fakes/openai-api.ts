import { createHash, randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { readBody, sendJson, startLoopbackServer } from './loopback-server.js';

/**
 * A loopback OpenAI-compatible API (https://platform.openai.com/docs/api-reference): POST /v1/chat/completions
 * (text and function tool_calls with JSON-string arguments, finish_reason, usage) and POST /v1/embeddings (float
 * or base64). It checks `Authorization: Bearer <key>` and answers a wrong key with OpenAI's 401 error body, and
 * refuses what OpenAI refuses about tool messages: a `tool` message that answers no preceding tool call, and an
 * assistant's tool calls left without their `tool` answers. Replies are scripted in a queue; failures (429, 500)
 * can be scheduled for the next N requests.
 */

export interface ScriptedToolCall {
  id?: string;
  name: string;
  /** An object is sent JSON-encoded, as OpenAI does; a string is sent as it is (to script broken JSON). */
  arguments: Record<string, unknown> | string;
}

export interface ScriptedChatReply {
  content?: string | null;
  toolCalls?: ScriptedToolCall[];
  finishReason?: 'stop' | 'length' | 'tool_calls';
  usage?: { promptTokens: number; completionTokens: number };
}

export interface RecordedOpenAiRequest {
  path: string;
  authorization: string | undefined;
  body: Record<string, any>;
}

interface ScheduledFailure {
  status: number;
  remaining: number;
  retryAfterMs?: number;
}

function openAiError(message: string, type: string, code: string | null) {
  return { error: { message, type, param: null, code } };
}

/** A deterministic vector per text, so tests can compare embeddings. */
export function fakeEmbedding(text: string, dimensions: number): number[] {
  const digest = createHash('sha256').update(text).digest();
  return Array.from({ length: dimensions }, (_, i) => (digest[i % digest.length]! - 127.5) / 10);
}

export async function startFakeOpenAi(options: { apiKey?: string; embeddingDimensions?: number } = {}) {
  const apiKey = options.apiKey ?? `sk-test-${randomBytes(8).toString('hex')}`;
  const dimensions = options.embeddingDimensions ?? 8;
  const replies: (ScriptedChatReply | ((body: Record<string, any>) => ScriptedChatReply))[] = [];
  const requests: RecordedOpenAiRequest[] = [];
  let failure: ScheduledFailure | null = null;
  let callCounter = 0;

  const refuse = (res: ServerResponse, message: string) =>
    sendJson(res, 400, openAiError(message, 'invalid_request_error', null));

  /** OpenAI's own checks on a tool conversation. */
  function toolProtocolError(messages: any[]): string | null {
    const open = new Set<string>();
    for (const [i, m] of messages.entries()) {
      if (m.role === 'tool') {
        if (!open.has(m.tool_call_id)) {
          return `Invalid parameter: messages with role 'tool' must be a response to a preceeding message with 'tool_calls'. (messages.[${i}])`;
        }
        open.delete(m.tool_call_id);
        continue;
      }
      if (open.size) {
        return `An assistant message with 'tool_calls' must be followed by tool messages responding to each 'tool_call_id'. The following tool_call_ids did not have response messages: ${[...open].join(', ')}`;
      }
      if (m.role === 'assistant') {
        for (const call of m.tool_calls ?? []) {
          if (call.type !== 'function' || typeof call.function?.arguments !== 'string') {
            return `Invalid value for 'messages[${i}].tool_calls': expected function calls with string arguments.`;
          }
          open.add(call.id);
        }
      }
    }
    return null;
  }

  function chatCompletion(res: ServerResponse, body: Record<string, any>) {
    if (typeof body.model !== 'string' || !Array.isArray(body.messages) || body.messages.length === 0) {
      return refuse(res, "Missing required parameter: 'messages'.");
    }
    const protocol = toolProtocolError(body.messages);
    if (protocol) return refuse(res, protocol);
    const next = replies.shift();
    if (!next)
      return sendJson(res, 500, openAiError('fake OpenAI: no scripted reply left', 'server_error', null));
    const reply = typeof next === 'function' ? next(body) : next;
    const toolCalls = (reply.toolCalls ?? []).map((c) => ({
      id: c.id ?? `call_${++callCounter}`,
      type: 'function',
      function: {
        name: c.name,
        arguments: typeof c.arguments === 'string' ? c.arguments : JSON.stringify(c.arguments),
      },
    }));
    const usage = reply.usage ?? { promptTokens: 11, completionTokens: 7 };
    sendJson(res, 200, {
      id: `chatcmpl-${randomBytes(6).toString('hex')}`,
      object: 'chat.completion',
      created: Math.floor(Date.now() / 1000),
      model: body.model,
      choices: [
        {
          index: 0,
          message: {
            role: 'assistant',
            content: reply.content ?? (toolCalls.length ? null : ''),
            refusal: null,
            ...(toolCalls.length ? { tool_calls: toolCalls } : {}),
          },
          logprobs: null,
          finish_reason: reply.finishReason ?? (toolCalls.length ? 'tool_calls' : 'stop'),
        },
      ],
      usage: {
        prompt_tokens: usage.promptTokens,
        completion_tokens: usage.completionTokens,
        total_tokens: usage.promptTokens + usage.completionTokens,
      },
      system_fingerprint: 'fp_fake',
    });
  }

  function embeddings(res: ServerResponse, body: Record<string, any>) {
    const input: unknown = body.input;
    const texts = typeof input === 'string' ? [input] : input;
    if (
      typeof body.model !== 'string' ||
      !Array.isArray(texts) ||
      !texts.every((t) => typeof t === 'string')
    ) {
      return refuse(res, "'input' must be a string or an array of strings.");
    }
    const base64 = body.encoding_format === 'base64';
    sendJson(res, 200, {
      object: 'list',
      data: texts.map((text, index) => {
        const vector = fakeEmbedding(text, dimensions);
        return {
          object: 'embedding',
          index,
          embedding: base64 ? Buffer.from(new Float32Array(vector).buffer).toString('base64') : vector,
        };
      }),
      model: body.model,
      usage: { prompt_tokens: texts.length * 3, total_tokens: texts.length * 3 },
    });
  }

  const server = await startLoopbackServer(async (req, res) => {
    const text = await readBody(req);
    const path = (req.url ?? '').split('?')[0]!;
    let body: Record<string, any>;
    try {
      body = text ? JSON.parse(text) : {};
    } catch {
      return refuse(res, 'We could not parse the JSON body of your request.');
    }
    requests.push({ path, authorization: req.headers.authorization, body });
    if (req.headers.authorization !== `Bearer ${apiKey}`) {
      const presented = (req.headers.authorization ?? '').replace(/^Bearer /, '');
      return sendJson(
        res,
        401,
        openAiError(
          `Incorrect API key provided: ${presented.slice(0, 6)}****. You can find your API key at https://platform.openai.com/account/api-keys.`,
          'invalid_request_error',
          'invalid_api_key',
        ),
      );
    }
    if (failure && failure.remaining > 0) {
      failure.remaining--;
      const headers: Record<string, string> =
        failure.retryAfterMs !== undefined ? { 'retry-after-ms': String(failure.retryAfterMs) } : {};
      if (failure.status === 429) {
        return sendJson(
          res,
          429,
          openAiError(
            'Rate limit reached for requests. Please try again shortly.',
            'requests',
            'rate_limit_exceeded',
          ),
          headers,
        );
      }
      return sendJson(
        res,
        failure.status,
        openAiError(
          'The server had an error while processing your request. Sorry about that!',
          'server_error',
          null,
        ),
        headers,
      );
    }
    if (req.method === 'POST' && path === '/v1/chat/completions') return chatCompletion(res, body);
    if (req.method === 'POST' && path === '/v1/embeddings') return embeddings(res, body);
    sendJson(res, 404, openAiError(`Invalid URL (${req.method} ${path})`, 'invalid_request_error', null));
  });

  return {
    apiKey,
    /** The SDK's baseURL (and ZAiProviderConfig.baseUrl). */
    baseUrl: `${server.origin}/v1`,
    requests,
    chatRequests: () => requests.filter((r) => r.path === '/v1/chat/completions'),
    reply(...next: (ScriptedChatReply | ((body: Record<string, any>) => ScriptedChatReply))[]) {
      replies.push(...next);
    },
    /** The next `times` requests (after the key check) answer `status`; Infinity for a provider that is down. */
    fail(status: 429 | 500 | 503, times: number, retryAfterMs?: number) {
      failure = { status, remaining: times, retryAfterMs };
    },
    pendingReplies: () => replies.length,
    close: () => server.close(),
  };
}

export type FakeOpenAi = Awaited<ReturnType<typeof startFakeOpenAi>>;
