import { ZAiToolResult, type TAiToolResult } from '@orbitdesk/shared';

export const TOOL_CALLBACK_TIMEOUT_MS = 15_000;
/** A tool result is fed back to the model; more than this is noise and cost. */
const MAX_RESPONSE_BYTES = 256 * 1024;

export interface ToolCallback {
  url: string;
  token: string;
}

async function readCapped(res: Response): Promise<string> {
  const reader = res.body?.getReader();
  if (!reader) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = (await reader.read()) as { done: boolean; value: Uint8Array };
    if (done) break;
    size += value.byteLength;
    if (size > MAX_RESPONSE_BYTES) {
      await reader.cancel();
      throw new Error(`answer larger than ${MAX_RESPONSE_BYTES} bytes`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * Runs one tool in the API: POST {url}/{tool} with the turn's bearer token and the arguments as JSON. Whatever
 * goes wrong (unreachable, slow, a redirect, an error status, an answer outside ZAiToolResult) comes back as
 * {ok: false, error} for the model to read: a broken tool never breaks the conversation.
 */
export async function callTool(
  callback: ToolCallback,
  tool: string,
  args: Record<string, unknown>,
  signal?: AbortSignal,
): Promise<TAiToolResult> {
  const url = `${callback.url.replace(/\/+$/, '')}/${encodeURIComponent(tool)}`;
  const timeout = AbortSignal.timeout(TOOL_CALLBACK_TIMEOUT_MS);
  let res: Response;
  let text: string;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { authorization: `Bearer ${callback.token}`, 'content-type': 'application/json' },
      body: JSON.stringify(args),
      // The API answers tool calls itself; a redirect would carry the token somewhere else.
      redirect: 'error',
      signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
    });
    text = await readCapped(res);
  } catch (err) {
    const why = timeout.aborted
      ? `timed out after ${TOOL_CALLBACK_TIMEOUT_MS / 1000} s`
      : ((err as Error).cause as Error | undefined)?.message || (err as Error).message;
    return { ok: false, result: null, error: `the ${tool} tool could not be reached: ${why}` };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  const parsed = ZAiToolResult.safeParse(json);
  if (!res.ok) {
    const message = (json as { message?: unknown } | undefined)?.message;
    const error =
      parsed.success && parsed.data.error
        ? parsed.data.error
        : typeof message === 'string'
          ? message
          : text.slice(0, 300);
    return {
      ok: false,
      result: null,
      error: `the ${tool} tool failed (${res.status})${error ? `: ${error}` : ''}`,
    };
  }
  if (!parsed.success) {
    return { ok: false, result: null, error: `the ${tool} tool answered something unreadable` };
  }
  return parsed.data;
}
