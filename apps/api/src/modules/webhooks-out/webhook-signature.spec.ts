import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signWebhook, verifyWebhookSignature } from './webhook-signature.js';

describe('webhook signature', () => {
  const secret = 'whsec_test-secret';
  const body = '{"id":"e1","type":"message.created"}';
  const now = 1_767_225_600;

  it('is t=<seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">', () => {
    const expected = createHmac('sha256', secret).update(`${now}.${body}`).digest('hex');
    expect(signWebhook(secret, body, now)).toBe(`t=${now},v1=${expected}`);
  });

  it('verifies within 5 minutes and refuses older or newer timestamps', () => {
    const header = signWebhook(secret, body, now);
    expect(verifyWebhookSignature(secret, body, header, now + 300)).toBe(true);
    expect(verifyWebhookSignature(secret, body, header, now - 300)).toBe(true);
    expect(verifyWebhookSignature(secret, body, header, now + 301)).toBe(false);
    expect(verifyWebhookSignature(secret, body, header, now - 301)).toBe(false);
  });

  it('refuses another secret, a changed body, a moved timestamp and malformed headers', () => {
    const header = signWebhook(secret, body, now);
    expect(verifyWebhookSignature('whsec_other', body, header, now)).toBe(false);
    expect(verifyWebhookSignature(secret, `${body} `, header, now)).toBe(false);
    expect(verifyWebhookSignature(secret, body, header.replace(`t=${now}`, `t=${now + 1}`), now)).toBe(false);
    for (const bad of ['', 'v1=abc', `t=${now}`, `t=x,v1=${'0'.repeat(64)}`]) {
      expect(verifyWebhookSignature(secret, body, bad, now), bad).toBe(false);
    }
  });

  it('accepts the header when any one of several v1 values matches', () => {
    const good = signWebhook(secret, body, now).split(',')[1]!;
    expect(verifyWebhookSignature(secret, body, `t=${now},v1=${'0'.repeat(64)},${good}`, now)).toBe(true);
  });
});
