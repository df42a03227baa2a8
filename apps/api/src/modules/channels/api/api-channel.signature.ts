import { createHmac } from 'node:crypto';
import { safeEqual } from '../../../common/crypto/hash.js';

export const SIGNATURE_HEADER = 'x-orbitdesk-signature';

/** `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`, keyed with the inbox secret (Stripe's scheme). */
export function signCallback(secret: string, body: string, unixSeconds: number): string {
  const mac = createHmac('sha256', secret).update(`${unixSeconds}.${body}`).digest('hex');
  return `t=${unixSeconds},v1=${mac}`;
}

/**
 * For receivers (and tests): checks the HMAC and that the timestamp is within `toleranceSeconds` of now, which
 * stops a captured callback from being replayed later.
 */
export function verifyCallbackSignature(
  secret: string,
  body: string,
  header: string,
  nowSeconds = Math.floor(Date.now() / 1000),
  toleranceSeconds = 300,
): boolean {
  const parts = Object.fromEntries(header.split(',').map((p) => p.split('=', 2) as [string, string]));
  const t = Number(parts.t);
  if (!Number.isInteger(t) || !parts.v1 || Math.abs(nowSeconds - t) > toleranceSeconds) return false;
  return safeEqual(signCallback(secret, body, t), `t=${t},v1=${parts.v1}`);
}
