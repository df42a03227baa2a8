import { Injectable, type OnModuleInit } from '@nestjs/common';
import { ResponseTooLargeError, SsrfBlockedError } from '../../../common/http-client/http-client.errors.js';
import { SafeHttpClient, type SafeResponse } from '../../../common/http-client/safe-http-client.js';
import { ChannelCredentialsService } from '../channel-credentials.service.js';
import { ChannelRouterService } from '../channel-router.service.js';
import {
  ChannelSendError,
  type IMessageChannel,
  type SendContext,
  type SendResult,
} from '../message-channel.js';
import { SIGNATURE_HEADER, signCallback } from './api-channel.signature.js';

const TIMEOUT_MS = 10_000;
const SNIPPET = 300;
/** The answer is only read for `{"id": ...}`; anything longer is not a reply worth buffering. */
const MAX_ANSWER_BYTES = 64 * 1024;

/**
 * Outbound for `api` inboxes: POSTs the message to the inbox's callbackUrl, signed with the inbox secret.
 * 2xx → sent; 408, 429, 5xx, timeouts and network errors → retried; any other answer → failed for good.
 * The callback URL is the tenant's to choose, so it goes through SafeHttpClient: a URL that leads to a private
 * or loopback address fails the message for good, with the reason.
 */
@Injectable()
export class ApiChannelAdapter implements IMessageChannel, OnModuleInit {
  readonly type = 'api' as const;

  constructor(
    private readonly router: ChannelRouterService,
    private readonly credentials: ChannelCredentialsService,
    private readonly http: SafeHttpClient,
  ) {}

  onModuleInit(): void {
    this.router.register(this);
  }

  async send(ctx: SendContext): Promise<SendResult> {
    const callbackUrl = ctx.channel.config.callbackUrl;
    const secret = this.credentials.open(ctx.channel).inboundSecret;
    if (typeof callbackUrl !== 'string' || !secret) {
      throw new ChannelSendError(true, 'The inbox has no callback URL or secret');
    }
    const body = JSON.stringify({
      event: 'message.created',
      message: ctx.message,
      conversation: ctx.conversation,
      contact: ctx.contact,
    });
    let res: Pick<SafeResponse, 'status' | 'text'>;
    try {
      res = await this.http.request(callbackUrl, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'OrbitDesk-Callback/1',
          [SIGNATURE_HEADER]: signCallback(secret, body, Math.floor(Date.now() / 1000)),
        },
        body,
        // A redirect could lead the signed payload anywhere; the callback URL must answer itself.
        maxRedirects: 0,
        timeoutMs: TIMEOUT_MS,
        maxResponseBytes: MAX_ANSWER_BYTES,
      });
    } catch (err) {
      if (err instanceof SsrfBlockedError) {
        throw new ChannelSendError(true, `Callback URL not allowed: ${err.reason}`);
      }
      if (!(err instanceof ResponseTooLargeError)) {
        throw new ChannelSendError(false, `Callback unreachable: ${(err as Error).message}`);
      }
      // The receiver answered, at length: judge its status, without an id.
      res = { status: err.status, text: () => '' };
    }
    const text = res.text();
    if (res.status >= 200 && res.status < 300) return { providerMessageId: idFrom(text) };
    const reason = `Callback answered ${res.status}${text ? `: ${text.slice(0, SNIPPET)}` : ''}`;
    const transient = res.status === 408 || res.status === 429 || res.status >= 500;
    throw new ChannelSendError(!transient, reason);
  }
}

/** The receiver may answer `{"id": "..."}`: its own id for the message, which its status updates then use. */
function idFrom(text: string): string | null {
  try {
    const parsed: unknown = JSON.parse(text);
    const id = (parsed as { id?: unknown } | null)?.id;
    return typeof id === 'string' && id.length > 0 && id.length <= 256
      ? id
      : typeof id === 'number'
        ? String(id)
        : null;
  } catch {
    return null;
  }
}
