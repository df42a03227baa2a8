import { describe, expect, it } from 'vitest';
import { addChips } from './chips';

describe('addChips', () => {
  it('splits on commas, trims, and skips blanks and repeats in any case', () => {
    expect(addChips(['human'], ' Agent, ,HUMAN, operator ,agent')).toEqual(['human', 'Agent', 'operator']);
  });
  it('leaves the list alone for nothing typed', () => {
    const current = ['a'];
    expect(addChips(current, ' , ')).toEqual(['a']);
  });
});
