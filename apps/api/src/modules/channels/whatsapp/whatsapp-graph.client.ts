import { Inject, Injectable } from '@nestjs/common';
import { SafeHttpClient, type SafeResponse } from '../../../common/http-client/safe-http-client.js';
import { APP_CONFIG, type AppConfig } from '../../../config/app-config.js';

const TIMEOUT_MS = 15_000;
const MEDIA_TIMEOUT_MS = 60_000;

/**
 * A refusal by the Graph API: the HTTP status and the fields of Meta's error JSON
 * (`{error:{message, type, code, error_subcode, error_data:{details}, fbtrace_id}}`), or only the status when the
 * answer was not Graph JSON (a proxy's 502 page).
 */
export class GraphApiError extends Error {
  constructor(
    readonly status: number,
    readonly detail: string,
    readonly code?: number,
    readonly subcode?: number,
    readonly fbtraceId?: string,
  ) {
    super(detail);
    this.name = 'GraphApiError';
  }

  /** `Message: details (WhatsApp error 131030)`, what an agent reads on a failed message. */
  describe(): string {
    return `${this.detail}${this.code !== undefined ? ` (WhatsApp error ${this.code})` : ''}`;
  }
}

/** A media object as `GET /{media-id}` describes it; `url` is short-lived and needs the same token. */
interface MediaInfo {
  url?: unknown;
  mime_type?: unknown;
}

export interface DownloadedMedia {
  bytes: Buffer;
  mimeType?: string;
}

/**
 * The Graph API calls of the WhatsApp Cloud API, with the inbox's access token as a Bearer token. The base URL
 * and version are platform config (GRAPH_API_BASE_URL, GRAPH_API_VERSION). Network failures surface as
 * SafeHttpClient's OutboundHttpError; non-2xx answers as GraphApiError.
 */
@Injectable()
export class WhatsAppGraphClient {
  private readonly base: string;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly http: SafeHttpClient,
  ) {
    this.base = `${config.GRAPH_API_BASE_URL.replace(/\/+$/, '')}/${config.GRAPH_API_VERSION}`;
  }

  /** `path` is relative to the version (`/123/messages`); each id in it must already be URL-safe. */
  async get<T>(token: string, path: string): Promise<T> {
    return this.json<T>(
      await this.http.request(`${this.base}${path}`, {
        headers: { authorization: `Bearer ${token}` },
        timeoutMs: TIMEOUT_MS,
      }),
    );
  }

  async post<T>(token: string, path: string, body: unknown): Promise<T> {
    return this.json<T>(
      await this.http.request(`${this.base}${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
        timeoutMs: TIMEOUT_MS,
      }),
    );
  }

  /**
   * Inbound media in two steps, as Meta serves it: the media id gives a short-lived URL, and that URL answers the
   * bytes to the same Bearer token. At most `maxBytes` (the attachment limit) are read.
   */
  async downloadMedia(token: string, mediaId: string, maxBytes: number): Promise<DownloadedMedia> {
    const info = await this.get<MediaInfo>(token, `/${encodeURIComponent(mediaId)}`);
    if (typeof info.url !== 'string') throw new Error('WhatsApp described the media without a download url');
    const res = await this.http.request(info.url, {
      headers: { authorization: `Bearer ${token}` },
      timeoutMs: MEDIA_TIMEOUT_MS,
      maxResponseBytes: maxBytes,
    });
    if (res.status < 200 || res.status >= 300) throw graphError(res);
    return { bytes: res.body, mimeType: typeof info.mime_type === 'string' ? info.mime_type : undefined };
  }

  private json<T>(res: SafeResponse): T {
    if (res.status < 200 || res.status >= 300) throw graphError(res);
    try {
      return JSON.parse(res.text()) as T;
    } catch {
      throw new GraphApiError(res.status, `WhatsApp answered ${res.status} with a body that is not JSON`);
    }
  }
}

interface GraphErrorBody {
  error?: {
    message?: unknown;
    code?: unknown;
    error_subcode?: unknown;
    error_data?: { details?: unknown };
    fbtrace_id?: unknown;
  };
}

const num = (v: unknown) => (typeof v === 'number' && Number.isInteger(v) ? v : undefined);
const str = (v: unknown) => (typeof v === 'string' && v.trim() ? v.trim() : undefined);

function graphError(res: SafeResponse): GraphApiError {
  let body: GraphErrorBody | undefined;
  try {
    body = JSON.parse(res.text()) as GraphErrorBody;
  } catch {
    body = undefined;
  }
  const e = body?.error;
  const message = str(e?.message);
  if (!e || !message) return new GraphApiError(res.status, `WhatsApp answered ${res.status}`);
  // `details` is often the useful part ("Parameter 'to' is invalid"), the message only its category.
  const details = str(e.error_data?.details);
  const detail = details && details !== message ? `${message}: ${details}` : message;
  return new GraphApiError(res.status, detail, num(e.code), num(e.error_subcode), str(e.fbtrace_id));
}
