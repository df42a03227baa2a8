import { describe, expect, it } from 'vitest';
import { MAX_MENTIONS, parseMentions } from './mentions.js';

const ID = '0b6f3c1e-9a41-4c55-8f0e-2d4b6a8c1e3f';
const ID2 = '7d2e4f60-1b3a-4c8d-9e0f-a1b2c3d4e5f6';

describe('parseMentions', () => {
  it('reads @[Name](user:<uuid>) mentions, once each, lower-cased', () => {
    const text = `@[Ada Lovelace](user:${ID}) and @[Bob](user:${ID2.toUpperCase()}), again @[Ada](user:${ID})`;
    expect(parseMentions(text)).toEqual({ userIds: [ID, ID2], emails: [] });
  });

  it('reads @email mentions without trailing punctuation', () => {
    expect(parseMentions('ping @Ada@Example.com. And @bob.smith+x@mail.example.org!')).toEqual({
      userIds: [],
      emails: ['ada@example.com', 'bob.smith+x@mail.example.org'],
    });
  });

  it('ignores plain addresses, malformed tokens and addresses inside an explicit mention', () => {
    expect(
      parseMentions(
        `mail ada@example.com, x@ada@example.com, @[Name](user:not-a-uuid), @nobody, ` +
          `@[@ada@example.com](user:${ID})`,
      ),
    ).toEqual({ userIds: [ID], emails: [] });
  });

  it('keeps at most MAX_MENTIONS', () => {
    const text = Array.from({ length: MAX_MENTIONS + 10 }, (_, i) => `@u${i}@example.com`).join(' ');
    expect(parseMentions(text).emails).toHaveLength(MAX_MENTIONS);
  });
});
