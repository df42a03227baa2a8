import { describe, expect, it } from 'vitest';
import { signCallback, verifyCallbackSignature } from './api-channel.signature.js';

describe('api channel callback signature', () => {
  const body = JSON.stringify({ event: 'message.created', message: { id: 'm1' } });

  it('is t=<unix>,v1=<hex hmac-sha256 of "<t>.<body>">', () => {
    // HMAC-SHA256("secret", "1700000000.{}") computed independently with openssl.
    expect(signCallback('secret', '{}', 1_700_000_000)).toBe(
      't=1700000000,v1=b8569b78799ff9e3cbff0fc2d63a33a2b57f3282abd07c37ae5e8e7d79a5f163',
    );
  });

  it('verifies its own signature and rejects a changed body, secret or stale timestamp', () => {
    const now = 1_700_000_000;
    const header = signCallback('s3cret', body, now);
    expect(verifyCallbackSignature('s3cret', body, header, now)).toBe(true);
    expect(verifyCallbackSignature('s3cret', `${body} `, header, now)).toBe(false);
    expect(verifyCallbackSignature('other', body, header, now)).toBe(false);
    expect(verifyCallbackSignature('s3cret', body, header, now + 301)).toBe(false);
    expect(verifyCallbackSignature('s3cret', body, 'garbage', now)).toBe(false);
  });
});
