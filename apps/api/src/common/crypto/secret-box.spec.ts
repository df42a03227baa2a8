import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SecretBox, SecretBoxError } from './secret-box.js';

const key1 = randomBytes(32);
const key2 = randomBytes(32);

type Part = 'version' | 'keyId' | 'iv' | 'tag' | 'data';
const INDEX: Record<Part, number> = { version: 0, keyId: 1, iv: 2, tag: 3, data: 4 };

/** Flips one bit in the decoded bytes of a base64url part, keeping its length (a subtle, valid-looking change). */
function flipBit(payload: string, part: Exclude<Part, 'version' | 'keyId'>, byte = 0): string {
  const parts = payload.split(':');
  const buf = Buffer.from(parts[INDEX[part]]!, 'base64url');
  buf[byte] = buf[byte]! ^ 0x01;
  parts[INDEX[part]] = buf.toString('base64url');
  return parts.join(':');
}

function replacePart(payload: string, part: Part, value: string): string {
  const parts = payload.split(':');
  parts[INDEX[part]] = value;
  return parts.join(':');
}

describe('SecretBox', () => {
  const box = new SecretBox('k1', key1);

  it('round-trips text, including empty and non-ASCII strings', () => {
    for (const plain of ['hello', '', 'ünïcødé ✓ 🔑', 'x'.repeat(10_000), 'a:b:c:d:e']) {
      const sealed = box.encrypt(plain);
      expect(sealed).toMatch(/^v1:k1:[A-Za-z0-9_-]+:[A-Za-z0-9_-]+:[A-Za-z0-9_-]*$/);
      expect(box.decrypt(sealed)).toBe(plain);
    }
  });

  it('round-trips with associated data', () => {
    const sealed = box.encrypt('token-123', 'tenant-a');
    expect(box.decrypt(sealed, 'tenant-a')).toBe('token-123');
  });

  it('never contains the plaintext and differs on every call (random IV)', () => {
    const a = box.encrypt('same secret value');
    const b = box.encrypt('same secret value');
    expect(a).not.toBe(b);
    expect(a.split(':')[2]).not.toBe(b.split(':')[2]);
    expect(a).not.toContain('same secret value');
    expect(Buffer.from(a.split(':')[2]!, 'base64url')).toHaveLength(12);
    expect(Buffer.from(a.split(':')[3]!, 'base64url')).toHaveLength(16);
  });

  describe('rejects tampering', () => {
    const sealed = box.encrypt('channel access token', 'tenant-a');

    it.each(['iv', 'tag', 'data'] as const)('a flipped bit in the %s', (part) => {
      const tampered = flipBit(sealed, part);
      expect(tampered).not.toBe(sealed);
      expect(() => box.decrypt(tampered, 'tenant-a')).toThrow(SecretBoxError);
    });

    it('a flipped bit at the end of the ciphertext', () => {
      const len = Buffer.from(sealed.split(':')[4]!, 'base64url').length;
      expect(() => box.decrypt(flipBit(sealed, 'data', len - 1), 'tenant-a')).toThrow(SecretBoxError);
    });

    it('a truncated auth tag (Node would otherwise accept a 4-byte tag)', () => {
      const tag = Buffer.from(sealed.split(':')[3]!, 'base64url');
      for (const n of [4, 8, 12, 15]) {
        const truncated = replacePart(sealed, 'tag', tag.subarray(0, n).toString('base64url'));
        expect(() => box.decrypt(truncated, 'tenant-a')).toThrow(SecretBoxError);
      }
    });

    it('ciphertext with bytes cut off or appended', () => {
      const data = Buffer.from(sealed.split(':')[4]!, 'base64url');
      expect(() =>
        box.decrypt(replacePart(sealed, 'data', data.subarray(0, -1).toString('base64url')), 'tenant-a'),
      ).toThrow(SecretBoxError);
      expect(() =>
        box.decrypt(
          replacePart(sealed, 'data', Buffer.concat([data, Buffer.from([0])]).toString('base64url')),
          'tenant-a',
        ),
      ).toThrow(SecretBoxError);
    });

    it('a key id swapped to another known key', () => {
      const rotated = new SecretBox('k2', key2, { k1: key1 });
      expect(rotated.decrypt(sealed, 'tenant-a')).toBe('channel access token');
      expect(() => rotated.decrypt(replacePart(sealed, 'keyId', 'k2'), 'tenant-a')).toThrow(SecretBoxError);
    });

    it('a key id swapped to an unknown key', () => {
      expect(() => box.decrypt(replacePart(sealed, 'keyId', 'k9'), 'tenant-a')).toThrow(
        /unknown encryption key id "k9"/,
      );
    });

    it('a changed version or a malformed payload', () => {
      expect(() => box.decrypt(replacePart(sealed, 'version', 'v2'), 'tenant-a')).toThrow(/malformed/);
      expect(() => box.decrypt(sealed.split(':').slice(0, 4).join(':'), 'tenant-a')).toThrow(/malformed/);
      expect(() => box.decrypt(`${sealed}:extra`, 'tenant-a')).toThrow(/malformed/);
      expect(() => box.decrypt('not a ciphertext')).toThrow(SecretBoxError);
    });
  });

  describe('associated data', () => {
    it('a value sealed for one owner does not open for another, or without any', () => {
      const sealed = box.encrypt('secret', 'tenant-a');
      expect(() => box.decrypt(sealed, 'tenant-b')).toThrow(SecretBoxError);
      expect(() => box.decrypt(sealed)).toThrow(SecretBoxError);
    });

    it('a value sealed without associated data does not open with some', () => {
      const sealed = box.encrypt('secret');
      expect(() => box.decrypt(sealed, 'tenant-a')).toThrow(SecretBoxError);
    });
  });

  describe('rotation', () => {
    it('decrypts values sealed with a previous key and flags them for re-encryption', () => {
      const old = new SecretBox('k1', key1);
      const sealedOld = old.encrypt('legacy secret', 'tenant-a');

      const rotated = new SecretBox('k2', key2, { k1: key1 });
      expect(rotated.decrypt(sealedOld, 'tenant-a')).toBe('legacy secret');
      expect(rotated.needsRotation(sealedOld)).toBe(true);

      const resealed = rotated.encrypt(rotated.decrypt(sealedOld, 'tenant-a'), 'tenant-a');
      expect(resealed.startsWith('v1:k2:')).toBe(true);
      expect(rotated.needsRotation(resealed)).toBe(false);
      expect(rotated.decrypt(resealed, 'tenant-a')).toBe('legacy secret');
      // The old deployment cannot read what the new key sealed.
      expect(() => old.decrypt(resealed, 'tenant-a')).toThrow(/unknown encryption key id "k2"/);
    });

    it('rejects a value whose key was dropped from the previous keys', () => {
      const sealedOld = new SecretBox('k1', key1).encrypt('legacy secret');
      const withoutOld = new SecretBox('k2', key2);
      expect(() => withoutOld.decrypt(sealedOld)).toThrow(SecretBoxError);
      expect(() => withoutOld.decrypt(sealedOld)).toThrow(/unknown encryption key id "k1"/);
    });

    it('a previous key under a reused id does not open values of the other key', () => {
      const sealed = new SecretBox('k1', key1).encrypt('secret');
      const wrongKey = new SecretBox('k1', key2);
      expect(() => wrongKey.decrypt(sealed)).toThrow(SecretBoxError);
    });
  });

  it('refuses a current key that is not 32 bytes', () => {
    for (const len of [0, 16, 31, 33, 64]) {
      expect(() => new SecretBox('k1', randomBytes(len))).toThrow('encryption key must be 32 bytes');
    }
  });
});
