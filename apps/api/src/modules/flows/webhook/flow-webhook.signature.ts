import { createHmac } from 'node:crypto';
import { FLOW_WEBHOOK_SIGNATURE_HEADERS } from '@orbitdesk/shared';
import { safeEqual } from '../../../common/crypto/hash.js';

/** The signature a caller presents: the first of the accepted headers that is there. */
export function presentedSignature(
  headers: Record<string, string | string[] | undefined>,
): string | undefined {
  for (const name of FLOW_WEBHOOK_SIGNATURE_HEADERS) {
    const value = headers[name];
    if (typeof value === 'string' && value) return value;
  }
  return undefined;
}

/** `sha256=<hex HMAC-SHA256 of the raw body>`, compared in constant time (hex case-insensitive). */
export function verifyFlowWebhookSignature(secret: string, rawBody: Buffer, presented: string): boolean {
  if (!/^sha256=[0-9a-fA-F]{64}$/.test(presented)) return false;
  const expected = createHmac('sha256', secret).update(rawBody).digest('hex');
  return safeEqual(expected, presented.slice(7).toLowerCase());
}

/** Credentials of the caller never reach the flow (its variables, logs and outgoing requests). */
const STRIPPED_HEADERS = new Set(['authorization', 'cookie', 'set-cookie']);

export function flowVisibleHeaders(
  headers: Record<string, string | string[] | undefined>,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    const key = name.toLowerCase();
    if (STRIPPED_HEADERS.has(key) || value === undefined) continue;
    out[key] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}
