import { Inject, Injectable } from '@nestjs/common';
import twilio from 'twilio';
import type RequestClient from 'twilio/lib/base/RequestClient.js';
import type * as TwilioResponse from 'twilio/lib/http/response.js';
import { APP_CONFIG, type AppConfig } from '../../../config/app-config.js';
import type { TwilioAccount } from './twilio-sms.account.js';

/** The host every REST resource this channel uses lives on (Messages, Accounts, IncomingPhoneNumbers, Media). */
const TWILIO_API_ORIGIN = 'https://api.twilio.com';
const TIMEOUT_MS = 15_000;

/** `https://api.twilio.com/…` on `base` instead (a proxy, or a fake in tests); any other URL unchanged. */
export function onApiBase(url: string, base: string): string {
  const matches = url === TWILIO_API_ORIGIN || url.startsWith(`${TWILIO_API_ORIGIN}/`);
  return matches ? `${base.replace(/\/+$/, '')}${url.slice(TWILIO_API_ORIGIN.length)}` : url;
}

/**
 * The SDK's own HTTP client with one change: requests for api.twilio.com go to TWILIO_API_BASE_URL. The SDK
 * builds absolute URLs itself (including the next-page links it follows), so this is the one place every
 * request passes through. It never retries: a failed send is retried by the outbound queue.
 */
class BaseUrlRequestClient extends twilio.RequestClient {
  constructor(private readonly base: string) {
    super({ timeout: TIMEOUT_MS, autoRetry: false });
  }

  override request<TData>(opts: RequestClient.RequestOptions<TData>): Promise<TwilioResponse.default<TData>> {
    return super.request({ ...opts, uri: onApiBase(opts.uri, this.base) });
  }
}

/** Twilio REST clients for inboxes, all sharing one HTTP client (and its connection pool). */
@Injectable()
export class TwilioClientFactory {
  private readonly http: BaseUrlRequestClient;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    this.http = new BaseUrlRequestClient(config.TWILIO_API_BASE_URL);
  }

  client(account: Pick<TwilioAccount, 'accountSid' | 'authToken'>): twilio.Twilio {
    return twilio(account.accountSid, account.authToken, { httpClient: this.http });
  }

  /** Where to fetch a URL Twilio gave (an MMS MediaUrl): on the configured API base when it is Twilio's API. */
  apiUrl(url: string): string {
    return onApiBase(url, this.config.TWILIO_API_BASE_URL);
  }

  /** Whether a URL is on the Twilio API, so the account's credentials may be sent with it. */
  isApiUrl(url: string): boolean {
    return new URL(url).origin === new URL(this.config.TWILIO_API_BASE_URL).origin;
  }
}
