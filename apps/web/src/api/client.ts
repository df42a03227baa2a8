import { getAccessToken, pendingRefresh, refreshSession } from './session';

/** A field problem as the API reports it in `details.issues` (path like `body.email`). */
export interface FieldIssue {
  path: string;
  message: string;
}

/** A non-2xx answer, with the API's message and any field issues. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly issues: FieldIssue[] = [],
    /** The answer's `details` as sent, for errors that carry more than field issues (a graph's problems). */
    readonly details: unknown = undefined,
  ) {
    super(message);
  }
}

interface ErrorBody {
  message?: unknown;
  details?: { issues?: unknown };
}

function isIssue(value: unknown): value is FieldIssue {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as FieldIssue).path === 'string' &&
    typeof (value as FieldIssue).message === 'string'
  );
}

async function toError(res: Response): Promise<ApiError> {
  const body = (await res.json().catch(() => null)) as ErrorBody | null;
  const message = typeof body?.message === 'string' ? body.message : `Request failed (${res.status})`;
  const rawIssues = body?.details?.issues;
  const issues = Array.isArray(rawIssues) ? rawIssues.filter(isIssue) : [];
  return new ApiError(res.status, message, issues, body?.details);
}

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  body?: unknown;
  /** Sent as multipart/form-data instead of JSON. */
  form?: FormData;
  query?: Record<string, string | number | undefined>;
  signal?: AbortSignal;
}

function buildUrl(path: string, query: RequestOptions['query']): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value !== undefined && value !== '') params.set(key, String(value));
  }
  const qs = params.toString();
  return `/api/v1${path}${qs ? `?${qs}` : ''}`;
}

function send(path: string, options: RequestOptions, token: string | null): Promise<Response> {
  const headers: Record<string, string> = {};
  if (token) headers.authorization = `Bearer ${token}`;
  let body: BodyInit | undefined;
  if (options.form) body = options.form;
  else if (options.body !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(options.body);
  }
  return fetch(buildUrl(path, options.query), {
    method: options.method ?? 'GET',
    headers,
    body,
    signal: options.signal,
    credentials: 'same-origin',
  });
}

/**
 * Calls the API as the signed-in user. A 401 triggers one silent refresh (shared with every other request
 * that hits a 401 meanwhile) and one retry; only when the refresh fails does the app fall back to the login
 * page, which returns to the same URL afterwards.
 */
export async function api<T>(path: string, options: RequestOptions = {}): Promise<T> {
  await pendingRefresh();
  let res = await send(path, options, getAccessToken());
  if (res.status === 401) {
    const token = await refreshSession();
    if (token) res = await send(path, options, token);
  }
  if (!res.ok) throw await toError(res);
  if (res.status === 204) return undefined as T;
  return (await res.json()) as T;
}

/** Calls an auth endpoint that needs no access token (login, register). */
export async function publicApi<T>(path: string, body: unknown): Promise<T> {
  const res = await send(path, { method: 'POST', body }, null);
  if (!res.ok) throw await toError(res);
  return (await res.json()) as T;
}
