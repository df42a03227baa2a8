import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/**
 * AES-256-GCM for secrets at rest (channel credentials, provider keys).
 * Format: `v1:<keyId>:<iv b64url>:<tag b64url>:<ciphertext b64url>`. The key id lets old ciphertexts decrypt
 * after ENCRYPTION_KEY rotates (old keys stay in ENCRYPTION_PREVIOUS_KEYS); the auth tag rejects any tampering.
 * An optional associated-data string binds a ciphertext to its owner (e.g. the tenant id), so a value copied
 * into another tenant's row does not decrypt.
 */
export class SecretBox {
  private readonly keys: Map<string, Buffer>;

  constructor(
    private readonly currentKeyId: string,
    currentKey: Buffer,
    previousKeys: Record<string, Buffer> = {},
  ) {
    if (currentKey.length !== 32) throw new Error('encryption key must be 32 bytes');
    this.keys = new Map(Object.entries(previousKeys));
    this.keys.set(currentKeyId, currentKey);
  }

  encrypt(plaintext: string, associatedData?: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key(this.currentKeyId), iv);
    if (associatedData) cipher.setAAD(Buffer.from(associatedData, 'utf8'));
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return [
      'v1',
      this.currentKeyId,
      iv.toString('base64url'),
      cipher.getAuthTag().toString('base64url'),
      ciphertext.toString('base64url'),
    ].join(':');
  }

  decrypt(payload: string, associatedData?: string): string {
    const parts = payload.split(':');
    if (parts.length !== 5 || parts[0] !== 'v1') throw new SecretBoxError('malformed ciphertext');
    const [, keyId, iv, tag, data] = parts as [string, string, string, string, string];
    // A fixed 16-byte tag: without authTagLength Node accepts a truncated tag (down to 4 bytes), which makes forgery cheap.
    const decipher = createDecipheriv('aes-256-gcm', this.key(keyId), Buffer.from(iv, 'base64url'), {
      authTagLength: 16,
    });
    if (associatedData) decipher.setAAD(Buffer.from(associatedData, 'utf8'));
    try {
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]).toString(
        'utf8',
      );
    } catch {
      throw new SecretBoxError('ciphertext failed authentication (tampered or wrong key)');
    }
  }

  /** True when the value was sealed with an older key and should be re-encrypted. */
  needsRotation(payload: string): boolean {
    return payload.split(':')[1] !== this.currentKeyId;
  }

  private key(id: string): Buffer {
    const key = this.keys.get(id);
    if (!key) throw new SecretBoxError(`unknown encryption key id "${id}"`);
    return key;
  }
}

export class SecretBoxError extends Error {}
