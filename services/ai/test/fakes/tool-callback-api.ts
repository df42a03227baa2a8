import { randomBytes } from 'node:crypto';
import { readBody, sendJson, startLoopbackServer } from './loopback-server.js';

/**
 * A loopback stand-in for the API's agent tool callback (POST {url}/{tool}, `Authorization: Bearer {token}`,
 * JSON arguments, answering {ok, result, error?}). It records every call, refuses a wrong token with the API's
 * 401 error shape, and answers each tool as a test scripts it.
 */

export interface RecordedToolCall {
  tool: string;
  authorization: string | undefined;
  contentType: string | undefined;
  args: unknown;
}

export type ToolAnswer =
  | { status?: number; body: unknown; delayMs?: number }
  | { redirectTo: string }
  | { raw: string; status?: number };

export async function startFakeToolCallback() {
  const token = `tool-token-${randomBytes(12).toString('hex')}`;
  const calls: RecordedToolCall[] = [];
  const answers = new Map<string, (args: unknown) => ToolAnswer>();
  const server = await startLoopbackServer(async (req, res) => {
    const text = await readBody(req);
    const match = /^\/internal\/ai\/tools\/([a-z_]+)$/.exec(req.url ?? '');
    if (req.method !== 'POST' || !match) {
      return sendJson(res, 404, { statusCode: 404, error: 'Not Found', message: 'route not found' });
    }
    const tool = match[1]!;
    let args: unknown;
    try {
      args = JSON.parse(text);
    } catch {
      args = text;
    }
    calls.push({
      tool,
      authorization: req.headers.authorization,
      contentType: req.headers['content-type'],
      args,
    });
    if (req.headers.authorization !== `Bearer ${token}`) {
      return sendJson(res, 401, { statusCode: 401, error: 'Unauthorized', message: 'invalid tool token' });
    }
    const answer = answers.get(tool)?.(args) ?? {
      status: 200,
      body: { ok: true, result: { tool, done: true } },
    };
    if ('redirectTo' in answer) {
      res.writeHead(307, { location: answer.redirectTo });
      return void res.end();
    }
    if ('raw' in answer) {
      res.writeHead(answer.status ?? 200, { 'content-type': 'application/json' });
      return void res.end(answer.raw);
    }
    if (answer.delayMs) await new Promise((r) => setTimeout(r, answer.delayMs));
    sendJson(res, answer.status ?? 200, answer.body);
  });
  return {
    token,
    url: `${server.origin}/internal/ai/tools`,
    calls,
    answer(tool: string, fn: (args: unknown) => ToolAnswer) {
      answers.set(tool, fn);
    },
    close: () => server.close(),
  };
}

export type FakeToolCallback = Awaited<ReturnType<typeof startFakeToolCallback>>;
