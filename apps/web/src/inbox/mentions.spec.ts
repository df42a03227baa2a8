import { describe, expect, it } from 'vitest';
import { mentionQuery, mentionToken, splitMentions } from './mentions';

const USER = '3f2b8c1e-4a5d-4e6f-8a7b-9c0d1e2f3a4b';

describe('mentions', () => {
  it('finds the @partial right before the caret, not inside an email address', () => {
    expect(mentionQuery('ask @be', 7)).toEqual({ start: 4, query: 'be' });
    expect(mentionQuery('@', 1)).toEqual({ start: 0, query: '' });
    expect(mentionQuery('mail ann@example.com', 20)).toBeNull();
  });

  it('writes the token the API parses and shows it back as @Name', () => {
    const token = mentionToken('Ben [Support] Agent', USER);
    expect(token).toBe(`@[Ben Support Agent](user:${USER})`);
    expect(splitMentions(`ping ${token} please`)).toEqual([
      { text: 'ping ', mention: false },
      { text: '@Ben Support Agent', mention: true },
      { text: ' please', mention: false },
    ]);
  });
});
