import { createHmac } from 'node:crypto';
import { safeEqual } from '../../../common/crypto/hash.js';

export const SIGNATURE_HEADER = 'x-hub-signature-256';

const FORMAT = /^sha256=([0-9a-fA-F]{64})$/;

/** The hex digest of an `X-Hub-Signature-256: sha256=<hex>` header; undefined when it is missing or malformed. */
export function signatureDigest(header: string | undefined): string | undefined {
  return header ? FORMAT.exec(header.trim())?.[1]?.toLowerCase() : undefined;
}

/**
 * Meta signs the exact bytes it sent (HMAC-SHA256 keyed with the app secret), which are not what re-serialising
 * the parsed JSON gives back (Meta escapes `/` and non-ASCII characters): always verify the raw body.
 */
export function verifyMetaSignature(appSecret: string, rawBody: Buffer, digest: string): boolean {
  return safeEqual(createHmac('sha256', appSecret).update(rawBody).digest('hex'), digest);
}
