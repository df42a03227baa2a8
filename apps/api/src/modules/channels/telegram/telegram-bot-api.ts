import { Inject, Injectable } from '@nestjs/common';
import { z } from 'zod';
import { ResponseTooLargeError } from '../../../common/http-client/http-client.errors.js';
import { SafeHttpClient, type SafeResponse } from '../../../common/http-client/safe-http-client.js';
import { APP_CONFIG, type AppConfig } from '../../../config/app-config.js';

const CALL_TIMEOUT_MS = 10_000;
/** Uploads (up to 50 MB) and downloads (up to 20 MB) take longer than a method call. */
const TRANSFER_TIMEOUT_MS = 120_000;

/** What an admin is told when Telegram answers 401 (or 404, for a token not even shaped like one). */
export const BAD_TOKEN_MESSAGE = 'The bot token was rejected by Telegram (revoked or mistyped)';

/** Telegram's answer to a method call that failed: `{ok:false, error_code, description, parameters?}`. */
export class TelegramApiError extends Error {
  constructor(
    readonly method: string,
    readonly status: number,
    readonly description: string,
    readonly retryAfterSeconds?: number,
  ) {
    super(`${method}: ${description}`);
    this.name = 'TelegramApiError';
  }

  /** 429 (flood control) and 5xx pass; any other refusal stays a refusal however often it is asked. */
  get transient(): boolean {
    return this.status === 429 || this.status >= 500;
  }

  /** 401 for a revoked or wrong token; 404 when the token is not even shaped like one. */
  get badToken(): boolean {
    return this.status === 401 || this.status === 404;
  }
}

/** Telegram could not be talked to (network, timeout); the message never contains the bot token. */
export class TelegramUnreachableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TelegramUnreachableError';
  }
}

export const ZTelegramBotUser = z.object({
  id: z.number().int(),
  is_bot: z.boolean(),
  first_name: z.string(),
  username: z.string().optional(),
});
export type TelegramBotUser = z.infer<typeof ZTelegramBotUser>;

export const ZTelegramWebhookInfo = z.object({
  url: z.string(),
  pending_update_count: z.number().int(),
  last_error_date: z.number().int().optional(),
  last_error_message: z.string().optional(),
});

export const ZTelegramFile = z.object({
  file_id: z.string(),
  file_size: z.number().int().optional(),
  /** Absent when the file cannot be downloaded through the Bot API (over 20 MB). */
  file_path: z.string().optional(),
});

/** What every send* method answers with, as far as OrbitDesk reads it. */
export const ZTelegramSentMessage = z.object({
  message_id: z.number().int(),
  chat: z.object({ id: z.number().int() }),
});

export const ZTrue = z.literal(true);

const ZEnvelope = z.object({
  ok: z.boolean(),
  result: z.unknown().optional(),
  error_code: z.number().int().optional(),
  description: z.string().optional(),
  parameters: z.object({ retry_after: z.number().int().optional() }).optional(),
});

export interface TelegramUpload {
  /** The method's parameter that holds the file (`photo`, `document`, ...). */
  field: string;
  fileName: string;
  contentType: string;
  data: Buffer;
}

type Params = Record<string, string | number | boolean | string[]>;

/**
 * The Telegram Bot API: `POST {TELEGRAM_API_BASE_URL}/bot<token>/<method>` with JSON (or multipart/form-data when a
 * file is uploaded), answered by `{ok, result}` or `{ok:false, error_code, description}`. The bot token is part of
 * every URL, so no URL or error message of this class carries it into a log or a failure reason.
 */
@Injectable()
export class TelegramBotApi {
  private readonly base: string;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly http: SafeHttpClient,
  ) {
    this.base = config.TELEGRAM_API_BASE_URL.replace(/\/+$/, '');
  }

  async call<T>(token: string, method: string, params: Params, result: z.ZodType<T>): Promise<T> {
    const res = await this.send(token, method, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(params),
      timeoutMs: CALL_TIMEOUT_MS,
    });
    return this.answer(method, res, result);
  }

  /** A send* method with the file's bytes in the request (Telegram cannot fetch our signed links on a private host). */
  async upload<T>(
    token: string,
    method: string,
    params: Params,
    file: TelegramUpload,
    result: z.ZodType<T>,
  ): Promise<T> {
    const form = new FormData();
    for (const [key, value] of Object.entries(params)) {
      form.append(key, typeof value === 'object' ? JSON.stringify(value) : String(value));
    }
    form.append(file.field, new Blob([file.data], { type: file.contentType }), file.fileName);
    // The platform's own encoder writes the boundary and escapes the file name.
    const encoded = new Response(form);
    const res = await this.send(token, method, {
      method: 'POST',
      headers: { 'content-type': encoded.headers.get('content-type')! },
      body: Buffer.from(await encoded.arrayBuffer()),
      timeoutMs: TRANSFER_TIMEOUT_MS,
    });
    return this.answer(method, res, result);
  }

  /** `GET {base}/file/bot<token>/<file_path>`: the bytes of a file getFile described. */
  async download(token: string, filePath: string, maxBytes: number): Promise<Buffer> {
    const path = filePath.split('/').map(encodeURIComponent).join('/');
    let res: SafeResponse;
    try {
      res = await this.http.request(`${this.base}/file/bot${token}/${path}`, {
        timeoutMs: TRANSFER_TIMEOUT_MS,
        maxResponseBytes: maxBytes,
      });
    } catch (err) {
      if (err instanceof ResponseTooLargeError) {
        throw new TelegramApiError('download', 413, `the file is larger than ${maxBytes} bytes`);
      }
      throw this.unreachable('download', token, err);
    }
    if (res.status !== 200)
      throw new TelegramApiError('download', res.status, `the download answered ${res.status}`);
    return res.body;
  }

  private async send(
    token: string,
    method: string,
    init: Parameters<SafeHttpClient['request']>[1],
  ): Promise<SafeResponse> {
    try {
      // Telegram's answers are JSON and short; a redirect is never part of the Bot API.
      return await this.http.request(`${this.base}/bot${token}/${method}`, { ...init, maxRedirects: 0 });
    } catch (err) {
      throw this.unreachable(method, token, err);
    }
  }

  private answer<T>(method: string, res: SafeResponse, result: z.ZodType<T>): T {
    let envelope: z.infer<typeof ZEnvelope> | undefined;
    try {
      envelope = ZEnvelope.parse(JSON.parse(res.text()));
    } catch {
      throw new TelegramApiError(method, res.status, `Telegram answered ${res.status} without its JSON`);
    }
    if (!envelope.ok) {
      throw new TelegramApiError(
        method,
        envelope.error_code ?? res.status,
        envelope.description ?? `Telegram answered ${res.status}`,
        envelope.parameters?.retry_after,
      );
    }
    const parsed = result.safeParse(envelope.result);
    if (!parsed.success)
      throw new TelegramApiError(method, 502, 'Telegram answered with an unexpected result');
    return parsed.data;
  }

  private unreachable(method: string, token: string, err: unknown): TelegramUnreachableError {
    const message = err instanceof Error ? err.message : String(err);
    return new TelegramUnreachableError(`${method}: ${message.split(token).join('<bot token>')}`);
  }
}
