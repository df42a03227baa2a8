import { createHmac, hkdfSync } from 'node:crypto';
import { safeEqual } from '../../common/crypto/hash.js';
import { API_PREFIX } from '../../openapi/route-table.js';

export type SignatureCheck = 'valid' | 'expired' | 'invalid';

const SIGNATURE = /^[A-Za-z0-9_-]{43}$/;

/**
 * Short-lived download links: `…/attachments/:id/download?expires=<unix>&sig=<hmac>`, the HMAC-SHA256 (base64url)
 * of `id.tenantId.expires`. The tenant is not in the URL but is in the signed message, so a link verifies only
 * against the row of the tenant it was minted for. The key is derived from ENCRYPTION_KEY with HKDF (info
 * "attachment-url"), so it is never the key that seals stored secrets; rotating ENCRYPTION_KEY ends open links.
 */
export class AttachmentUrlSigner {
  private readonly key: Buffer;
  private readonly base: string;

  constructor(
    encryptionKey: Buffer,
    publicUrl: string,
    private readonly ttlSeconds: number,
  ) {
    this.key = Buffer.from(hkdfSync('sha256', encryptionKey, Buffer.alloc(0), 'attachment-url', 32));
    this.base = `${publicUrl.replace(/\/+$/, '')}/${API_PREFIX}/attachments`;
  }

  sign(
    id: string,
    tenantId: string,
    now = Date.now(),
    ttlSeconds = this.ttlSeconds,
  ): { url: string; expiresAt: Date } {
    const expires = Math.floor(now / 1000) + ttlSeconds;
    const sig = this.signature(id, tenantId, expires);
    return {
      url: `${this.base}/${id}/download?expires=${expires}&sig=${sig}`,
      expiresAt: new Date(expires * 1000),
    };
  }

  /** The signature is checked first (constant time), so a changed `expires` reads as tampering, not expiry. */
  check(id: string, tenantId: string, expires: number, sig: string, now = Date.now()): SignatureCheck {
    if (!SIGNATURE.test(sig) || !safeEqual(sig, this.signature(id, tenantId, expires))) return 'invalid';
    return expires * 1000 > now ? 'valid' : 'expired';
  }

  /** A cheap shape check, so garbage is refused before the row lookup. */
  static looksLikeSignature(sig: string): boolean {
    return SIGNATURE.test(sig);
  }

  private signature(id: string, tenantId: string, expires: number): string {
    return createHmac('sha256', this.key).update(`${id}.${tenantId}.${expires}`).digest('base64url');
  }
}
