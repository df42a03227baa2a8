import { describe, expect, it } from 'vitest';
import { eligibleAgents, pickAgent } from './round-robin.js';

describe('round-robin', () => {
  const members = ['a', 'b', 'c'];

  it('keeps online agents below the cap, in member order', () => {
    expect(
      eligibleAgents({
        members,
        online: new Set(['c', 'a', 'b', 'stranger']),
        openCounts: new Map([
          ['a', 2],
          ['b', 1],
        ]),
        maxOpenPerAgent: 2,
      }),
    ).toEqual(['b', 'c']);
  });

  it('leaves out everyone when nobody is online', () => {
    expect(eligibleAgents({ members, online: new Set(), openCounts: new Map(), maxOpenPerAgent: 5 })).toEqual(
      [],
    );
  });

  it('rotates through the eligible agents turn by turn', () => {
    expect([1, 2, 3, 4, 5, 6].map((turn) => pickAgent(members, turn))).toEqual([
      'a',
      'b',
      'c',
      'a',
      'b',
      'c',
    ]);
    expect([1, 2, 3].map((turn) => pickAgent(['a', 'c'], turn))).toEqual(['a', 'c', 'a']);
  });

  it('picks nobody from an empty list and survives odd counters', () => {
    expect(pickAgent([], 7)).toBeUndefined();
    expect(pickAgent(members, 0)).toBe('c');
    expect(pickAgent(members, -1)).toBe('b');
  });
});
