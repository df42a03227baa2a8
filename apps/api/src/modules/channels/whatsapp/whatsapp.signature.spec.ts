import { describe, expect, it } from 'vitest';
import { isWellFormedSignature, signPayload, verifyPayload } from './whatsapp.signature.js';

describe('X-Hub-Signature-256', () => {
  it('is sha256=<hex HMAC-SHA256 of the raw body keyed with the app secret>', () => {
    // printf '{"a":1}' | openssl dgst -sha256 -hmac app-secret-0123456789
    expect(signPayload('app-secret-0123456789', '{"a":1}')).toBe(
      'sha256=dab40868c03ca7eb6d1dd132d5487d8fa84396a3941484b22ab2bb974d72d788',
    );
  });

  it('verifies the exact bytes only, with the right secret, in either hex case', () => {
    const body = Buffer.from('{"text":"caf\\u00e9"}');
    const header = signPayload('s3cret-s3cret-s3cret', body);
    expect(verifyPayload('s3cret-s3cret-s3cret', body, header)).toBe(true);
    expect(verifyPayload('s3cret-s3cret-s3cret', body, `sha256=${header.slice(7).toUpperCase()}`)).toBe(true);
    // The same JSON re-serialised (é unescaped) is other bytes: not Meta's signature.
    expect(verifyPayload('s3cret-s3cret-s3cret', Buffer.from('{"text":"café"}'), header)).toBe(false);
    expect(verifyPayload('another-secret-0000', body, header)).toBe(false);
  });

  it('accepts only the shape Meta sends', () => {
    expect(isWellFormedSignature(`sha256=${'a'.repeat(64)}`)).toBe(true);
    for (const bad of [
      undefined,
      '',
      'sha256=',
      `sha1=${'a'.repeat(40)}`,
      `sha256=${'g'.repeat(64)}`,
      'a'.repeat(71),
    ]) {
      expect(isWellFormedSignature(bad), String(bad)).toBe(false);
    }
  });
});
