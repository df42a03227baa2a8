import { describe, expect, it } from 'vitest';
import { identifierHash, identifierHashMatches, liveChatConfig, originAllowed } from './live-chat.config.js';

describe('live chat config helpers', () => {
  const base = { websiteUrl: 'https://shop.example' };

  it('allows any origin when allowedOrigins is empty', () => {
    const config = liveChatConfig(base);
    expect(originAllowed(config, 'https://anything.example')).toBe(true);
    expect(originAllowed(config, undefined)).toBe(true);
  });

  it('matches origins exactly, ignoring case and default ports; refuses missing and opaque origins', () => {
    const config = liveChatConfig({
      ...base,
      allowedOrigins: ['https://Shop.example/some/page', 'http://a.test:8080'],
    });
    expect(originAllowed(config, 'https://shop.example')).toBe(true);
    expect(originAllowed(config, 'https://shop.example:443')).toBe(true);
    expect(originAllowed(config, 'http://a.test:8080')).toBe(true);
    expect(originAllowed(config, 'http://shop.example')).toBe(false);
    expect(originAllowed(config, 'https://evil.example')).toBe(false);
    expect(originAllowed(config, 'https://shop.example.evil.example')).toBe(false);
    expect(originAllowed(config, 'http://a.test')).toBe(false);
    expect(originAllowed(config, 'null')).toBe(false);
    expect(originAllowed(config, undefined)).toBe(false);
  });

  it('identifierHash is hex HMAC-SHA256(secret, identifier), checked in any case', () => {
    // echo -n 'user-42' | openssl dgst -sha256 -hmac 'secret'
    const computed = identifierHash('secret', 'user-42');
    expect(computed).toBe('e286b7b944100ab478fe553b39122922de0000aee1d04087dc3e96eefc3a8d47');
    expect(identifierHashMatches('secret', 'user-42', computed.toUpperCase())).toBe(true);
    expect(identifierHashMatches('secret', 'user-43', computed)).toBe(false);
    expect(identifierHashMatches('other', 'user-42', computed)).toBe(false);
  });
});
