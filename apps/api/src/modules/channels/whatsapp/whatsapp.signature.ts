import { createHmac } from 'node:crypto';
import { safeEqual } from '../../../common/crypto/hash.js';

export const SIGNATURE_HEADER = 'x-hub-signature-256';

/** `sha256=<hex HMAC-SHA256 of the raw body>` keyed with the Meta app's secret: Meta's X-Hub-Signature-256. */
export function signPayload(appSecret: string, rawBody: Buffer | string): string {
  return `sha256=${createHmac('sha256', appSecret).update(rawBody).digest('hex')}`;
}

/** Whether the header has the one shape Meta sends; anything else is refused before any inbox is looked up. */
export const isWellFormedSignature = (header: string | undefined): header is string =>
  typeof header === 'string' && /^sha256=[0-9a-fA-F]{64}$/.test(header);

/**
 * Checks the header over the exact bytes Meta sent (Meta signs its own escaping of the JSON, so a re-serialised
 * body would not match), in constant time.
 */
export function verifyPayload(appSecret: string, rawBody: Buffer, header: string): boolean {
  return safeEqual(signPayload(appSecret, rawBody), `sha256=${header.slice(7).toLowerCase()}`);
}
