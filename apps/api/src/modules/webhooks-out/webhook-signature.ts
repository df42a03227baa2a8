import { createHmac } from 'node:crypto';
import { safeEqual } from '../../common/crypto/hash.js';

/** Receivers should refuse deliveries signed longer ago than this (replays of a captured request). */
export const SIGNATURE_TOLERANCE_SECONDS = 300;

/**
 * The `OrbitDesk-Signature` header: `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">`, keyed with the
 * endpoint's whole secret (`whsec_…`), as Stripe does. The timestamp is inside the MAC, so it cannot be changed
 * to make an old delivery look fresh.
 */
export function signWebhook(secret: string, body: string, unixSeconds: number): string {
  const mac = createHmac('sha256', secret).update(`${unixSeconds}.${body}`).digest('hex');
  return `t=${unixSeconds},v1=${mac}`;
}

/**
 * How a receiver verifies a delivery (also used by the tests): take the raw body exactly as received, split the
 * header on commas into `t` and every `v1`, recompute the HMAC over `"<t>.<body>"`, compare in constant time,
 * and reject a `t` more than 5 minutes away from now.
 */
export function verifyWebhookSignature(
  secret: string,
  body: string,
  header: string,
  nowSeconds = Math.floor(Date.now() / 1000),
  toleranceSeconds = SIGNATURE_TOLERANCE_SECONDS,
): boolean {
  let t: number | undefined;
  const macs: string[] = [];
  for (const part of header.split(',')) {
    const [key, value] = part.trim().split('=', 2);
    if (key === 't' && value && /^\d+$/.test(value)) t = Number(value);
    if (key === 'v1' && value) macs.push(value);
  }
  if (t === undefined || !macs.length || Math.abs(nowSeconds - t) > toleranceSeconds) return false;
  const expected = createHmac('sha256', secret).update(`${t}.${body}`).digest('hex');
  // Several v1 values appear while a receiver's secret is being rotated; any one may match.
  return macs.some((mac) => safeEqual(mac, expected));
}
