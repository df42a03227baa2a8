import type { ChatMessage, ChatSession, HostUser, Upload } from './types.js';

/** An answer the API gave (4xx/5xx), with its plain-language message. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Network failures, 429 and 5xx are worth retrying; any other answer is final. */
const retryable = (err: unknown) => !(err instanceof ApiError) || err.status === 429 || err.status >= 500;

/** The widget's calls to /api/v1/channels/live-chat/*. No cookies: the visitor token goes in a header. */
export class WidgetApi {
  private readonly root: string;
  token = '';

  constructor(
    base: string,
    private readonly websiteToken: string,
  ) {
    this.root = `${base}/api/v1/channels/live-chat`;
  }

  session(visitorToken: string | undefined, user: HostUser = {}): Promise<ChatSession> {
    return this.call<ChatSession>('POST', '/sessions', {
      websiteToken: this.websiteToken,
      ...(visitorToken ? { visitorToken } : {}),
      ...user,
    });
  }

  /** Retried with the same clientMessageId, which the API stores once. */
  send(body: { clientMessageId: string; type: string; content: Record<string, unknown> }) {
    return this.withRetries(() => this.call<{ message: ChatMessage }>('POST', '/message', body));
  }

  history(before?: string): Promise<{ items: ChatMessage[]; hasMore: boolean }> {
    return this.call('GET', `/messages${before ? `?before=${encodeURIComponent(before)}` : ''}`);
  }

  upload(file: File): Promise<Upload> {
    const form = new FormData();
    form.append('file', file, file.name);
    return this.call<Upload>('POST', '/attachments', form);
  }

  private async withRetries<T>(fn: () => Promise<T>, attempts = 4): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await fn();
      } catch (err) {
        if (attempt >= attempts || !retryable(err)) throw err;
        await sleep(500 * 2 ** attempt);
      }
    }
  }

  private async call<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = {};
    if (this.token) headers['x-widget-token'] = this.token;
    let payload: BodyInit | undefined;
    if (body instanceof FormData) payload = body;
    else if (body !== undefined) {
      headers['content-type'] = 'application/json';
      payload = JSON.stringify(body);
    }
    const res = await fetch(`${this.root}${path}`, { method, headers, body: payload, credentials: 'omit' });
    const data = (await res.json().catch(() => ({}))) as { message?: string };
    if (!res.ok) throw new ApiError(res.status, data.message ?? `The chat answered ${res.status}`);
    return data as T;
  }
}
