import { createHmac, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { AttachmentUrlSigner } from './attachment-url-signer.js';

const key = randomBytes(32);
const signer = new AttachmentUrlSigner(key, 'https://api.example.test/', 300);
const id = '7d3c1b1e-7a43-4d39-9e4b-3f2f0d8a6c11';
const tenantA = '0b6f7c1e-2a4d-4c8e-9f10-1234567890ab';
const tenantB = '5a1e2f3d-4c5b-4a69-8778-9a0b1c2d3e4f';
const now = Date.UTC(2025, 0, 1, 12, 0, 0);

const parts = (url: string) => {
  const u = new URL(url);
  return {
    path: u.pathname,
    expires: Number(u.searchParams.get('expires')),
    sig: u.searchParams.get('sig')!,
  };
};

describe('AttachmentUrlSigner', () => {
  it('builds `${PUBLIC_URL}/api/v1/attachments/:id/download?expires&sig` with the configured lifetime', () => {
    const { url, expiresAt } = signer.sign(id, tenantA, now);
    expect(url).toMatch(
      new RegExp(
        `^https://api\\.example\\.test/api/v1/attachments/${id}/download\\?expires=\\d+&sig=[A-Za-z0-9_-]{43}$`,
      ),
    );
    expect(parts(url).expires).toBe(now / 1000 + 300);
    expect(expiresAt.getTime()).toBe(now + 300_000);
  });

  it('signs HMAC-SHA256 over "id.tenantId.expires" with a key derived from ENCRYPTION_KEY, never the key itself', () => {
    const { sig, expires } = parts(signer.sign(id, tenantA, now).url);
    const withRawKey = createHmac('sha256', key).update(`${id}.${tenantA}.${expires}`).digest('base64url');
    expect(sig).not.toBe(withRawKey);
    expect(Buffer.from(sig, 'base64url')).toHaveLength(32);
    // Deterministic: the same inputs give the same signature.
    expect(parts(signer.sign(id, tenantA, now).url).sig).toBe(sig);
  });

  it('accepts its own signature until the expiry, then reports it expired', () => {
    const { sig, expires } = parts(signer.sign(id, tenantA, now).url);
    expect(signer.check(id, tenantA, expires, sig, now)).toBe('valid');
    expect(signer.check(id, tenantA, expires, sig, expires * 1000 - 1)).toBe('valid');
    expect(signer.check(id, tenantA, expires, sig, expires * 1000)).toBe('expired');
  });

  it('refuses a signature for another id, another tenant, or another expiry', () => {
    const { sig, expires } = parts(signer.sign(id, tenantA, now).url);
    expect(signer.check('7d3c1b1e-7a43-4d39-9e4b-3f2f0d8a6c12', tenantA, expires, sig, now)).toBe('invalid');
    expect(signer.check(id, tenantB, expires, sig, now)).toBe('invalid');
    expect(signer.check(id, tenantA, expires + 1, sig, now)).toBe('invalid');
    // A tampered expiry reads as tampering even after the real one passed.
    expect(signer.check(id, tenantA, expires - 1, sig, now + 3_600_000)).toBe('invalid');
  });

  it('refuses altered, truncated or padded signatures', () => {
    const { sig, expires } = parts(signer.sign(id, tenantA, now).url);
    const flipped = `${sig.slice(0, 10)}${sig[10] === 'a' ? 'b' : 'a'}${sig.slice(11)}`;
    for (const bad of [flipped, sig.slice(0, -1), `${sig}A`, `${sig}=`, '', sig.toUpperCase()]) {
      if (bad === sig) continue;
      expect(signer.check(id, tenantA, expires, bad, now)).toBe('invalid');
    }
  });

  it('refuses signatures made with another ENCRYPTION_KEY', () => {
    const other = new AttachmentUrlSigner(randomBytes(32), 'https://api.example.test', 300);
    const { sig, expires } = parts(other.sign(id, tenantA, now).url);
    expect(signer.check(id, tenantA, expires, sig, now)).toBe('invalid');
  });

  it('tells signatures from garbage by shape alone', () => {
    expect(AttachmentUrlSigner.looksLikeSignature(parts(signer.sign(id, tenantA, now).url).sig)).toBe(true);
    expect(AttachmentUrlSigner.looksLikeSignature('x'.repeat(42))).toBe(false);
    expect(AttachmentUrlSigner.looksLikeSignature(`${'x'.repeat(42)}/`)).toBe(false);
  });
});
