import { describe, expect, it } from 'vitest';
import { matchHandoffKeyword } from './handoff-keywords.js';

describe('matchHandoffKeyword', () => {
  const keywords = ['human', 'agent', 'talk to sales'];

  it('matches whole words, whatever the case', () => {
    expect(matchHandoffKeyword('I want a HUMAN.', keywords)).toBe('human');
    expect(matchHandoffKeyword('agent!', keywords)).toBe('agent');
    expect(matchHandoffKeyword('can I talk  to Sales?', keywords)).toBe('talk to sales');
  });

  it('does not match inside other words', () => {
    expect(matchHandoffKeyword('that is humane', keywords)).toBeUndefined();
    expect(matchHandoffKeyword('our agents_list', keywords)).toBeUndefined();
    expect(matchHandoffKeyword('reagent', keywords)).toBeUndefined();
    expect(matchHandoffKeyword('nothing here', keywords)).toBeUndefined();
  });

  it('treats letters of any script as word characters and keywords literally', () => {
    expect(matchHandoffKeyword('Bitte einen Menschen', ['mensch'])).toBeUndefined();
    expect(matchHandoffKeyword('Mensch!', ['mensch'])).toBe('mensch');
    expect(matchHandoffKeyword('need help (now)', ['(now)'])).toBe('(now)');
    expect(matchHandoffKeyword('a.b', ['a*b'])).toBeUndefined();
    expect(matchHandoffKeyword('anything', ['  '])).toBeUndefined();
  });
});
