import { Inject, Injectable } from '@nestjs/common';
import { createHmac } from 'node:crypto';
import { SafeHttpClient } from '../../../common/http-client/safe-http-client.js';
import { APP_CONFIG, type AppConfig } from '../../../config/app-config.js';

export interface GraphAuth {
  accessToken: string;
  /** Signs the token (appsecret_proof), which Meta requires when the app enables "Require App Secret". */
  appSecret?: string;
}

/**
 * Graph error codes that mean "later", whatever the HTTP status: 1 unknown/temporary, 2 service unavailable,
 * 4 app rate limit, 17 user rate limit, 32 page rate limit, 613 call rate limit.
 */
const TRANSIENT_CODES = new Set([1, 2, 4, 17, 32, 613]);

/** Graph's error JSON: `{error: {message, type, code, error_subcode, fbtrace_id}}`. */
export class GraphApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: number | undefined,
    readonly subcode: number | undefined,
    message: string,
    readonly fbtraceId?: string,
  ) {
    super(message);
    this.name = 'GraphApiError';
  }

  /** Retrying can help: rate limits and Meta's own outages; anything else Meta refused for good. */
  get transient(): boolean {
    return (
      this.status === 429 || this.status >= 500 || (this.code !== undefined && TRANSIENT_CODES.has(this.code))
    );
  }
}

const DEFAULT_TIMEOUT_MS = 15_000;

/**
 * The Graph API calls of Messenger and Instagram. The token travels in the Authorization header (Graph accepts it
 * there as well as in `access_token`), which keeps it out of URLs and so out of any log line that quotes one. The
 * base URL is platform configuration (GRAPH_API_BASE_URL), not tenant input; SafeHttpClient still guards it.
 */
@Injectable()
export class MetaGraphClient {
  private readonly base: string;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly http: SafeHttpClient,
  ) {
    this.base = `${config.GRAPH_API_BASE_URL.replace(/\/+$/, '')}/${config.GRAPH_API_VERSION}`;
  }

  get<T>(path: string, auth: GraphAuth, query: Record<string, string> = {}, timeoutMs?: number): Promise<T> {
    return this.call<T>('GET', path, auth, query, undefined, timeoutMs);
  }

  post<T>(path: string, auth: GraphAuth, body: unknown, timeoutMs?: number): Promise<T> {
    return this.call<T>('POST', path, auth, {}, body, timeoutMs);
  }

  delete<T>(path: string, auth: GraphAuth, timeoutMs?: number): Promise<T> {
    return this.call<T>('DELETE', path, auth, {}, undefined, timeoutMs);
  }

  private async call<T>(
    method: 'GET' | 'POST' | 'DELETE',
    path: string,
    auth: GraphAuth,
    query: Record<string, string>,
    body: unknown,
    timeoutMs = DEFAULT_TIMEOUT_MS,
  ): Promise<T> {
    const url = new URL(`${this.base}/${path}`);
    for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
    if (auth.appSecret)
      url.searchParams.set('appsecret_proof', appSecretProof(auth.accessToken, auth.appSecret));
    const res = await this.http.request(url, {
      method,
      headers: {
        authorization: `Bearer ${auth.accessToken}`,
        accept: 'application/json',
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      timeoutMs,
      // Graph answers itself; a redirect would carry the request somewhere nobody configured.
      maxRedirects: 0,
    });
    let json: unknown;
    try {
      json = JSON.parse(res.text());
    } catch {
      json = undefined;
    }
    if (res.status >= 200 && res.status < 300 && json !== undefined) return json as T;
    throw toGraphError(res.status, json);
  }
}

/** HMAC-SHA256 of the access token keyed with the app secret, hex: Graph's proof that the caller holds the secret. */
export const appSecretProof = (accessToken: string, appSecret: string) =>
  createHmac('sha256', appSecret).update(accessToken).digest('hex');

function toGraphError(status: number, json: unknown): GraphApiError {
  const error = (json as { error?: Record<string, unknown> } | undefined)?.error;
  const num = (v: unknown) => (typeof v === 'number' && Number.isInteger(v) ? v : undefined);
  const message =
    typeof error?.message === 'string' && error.message
      ? error.message.slice(0, 500)
      : `Graph API answered ${status}`;
  return new GraphApiError(
    status,
    num(error?.code),
    num(error?.error_subcode),
    message,
    typeof error?.fbtrace_id === 'string' ? error.fbtrace_id : undefined,
  );
}
