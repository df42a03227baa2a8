import type { AppConfig } from '../../../config/app-config.js';
import { API_PREFIX } from '../../../openapi/route-table.js';

/** Where Twilio posts incoming messages (the number's or Messaging Service's "A message comes in" URL). */
export const TWILIO_WEBHOOK_PATH = `/${API_PREFIX}/channels/twilio-sms/webhook`;
/** Where Twilio posts delivery reports; given per message as its StatusCallback. */
export const TWILIO_STATUS_PATH = `/${API_PREFIX}/channels/twilio-sms/status`;

/**
 * The base URL Twilio calls, as Twilio sees it: X-Twilio-Signature covers the full URL, so behind a proxy that
 * rewrites the host, scheme or path prefix, the signature is checked against this and never against the Host
 * header the app happens to receive.
 */
export const twilioWebhookBase = (config: AppConfig): string =>
  (config.TWILIO_WEBHOOK_BASE_URL ?? config.PUBLIC_URL).replace(/\/+$/, '');

export const twilioWebhookUrl = (config: AppConfig): string =>
  `${twilioWebhookBase(config)}${TWILIO_WEBHOOK_PATH}`;

export const twilioStatusCallbackUrl = (config: AppConfig, inboxId: string): string =>
  `${twilioWebhookBase(config)}${TWILIO_STATUS_PATH}?inbox=${inboxId}`;
