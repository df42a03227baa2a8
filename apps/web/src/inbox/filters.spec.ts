import type { TConversation } from '@orbitdesk/shared';
import { describe, expect, it } from 'vitest';
import { listQuery, matchesFilters, readFilters, writeFilters, type InboxFilters } from './filters';

const TEAM = '11111111-1111-4111-8111-111111111111';
const base: InboxFilters = { status: 'open', assignee: 'all', channelId: '', team: '', priority: '', q: '' };
const conversation = (over: Partial<TConversation> = {}) =>
  ({
    status: 'open',
    assigneeId: null,
    channelId: 'c1',
    teamId: null,
    priority: 'none',
    ...over,
  }) as TConversation;

describe('inbox filters', () => {
  it('keep the team and priority in the URL and read back only what is valid', () => {
    const f: InboxFilters = { ...base, team: TEAM, priority: 'urgent' };
    const params = writeFilters(f);
    expect(params.toString()).toBe(`team=${TEAM}&priority=urgent`);
    expect(readFilters(params)).toEqual(f);
    expect(readFilters(new URLSearchParams('priority=asap&team=none'))).toEqual({ ...base, team: 'none' });
  });

  it('ask the API for the team and priority', () => {
    expect(listQuery({ ...base, team: 'none', priority: 'high' })).toMatchObject({
      team: 'none',
      priority: 'high',
    });
    expect(listQuery(base)).toMatchObject({ team: undefined, priority: undefined });
  });

  it('tell live updates whether a conversation belongs to a team or priority list', () => {
    const billing = conversation({ teamId: TEAM, priority: 'high' });
    expect(matchesFilters(billing, { ...base, team: TEAM }, 'me')).toBe(true);
    expect(matchesFilters(billing, { ...base, team: 'none' }, 'me')).toBe(false);
    expect(matchesFilters(conversation(), { ...base, team: 'none' }, 'me')).toBe(true);
    expect(matchesFilters(conversation(), { ...base, team: TEAM }, 'me')).toBe(false);
    expect(matchesFilters(billing, { ...base, priority: 'high' }, 'me')).toBe(true);
    expect(matchesFilters(billing, { ...base, priority: 'urgent' }, 'me')).toBe(false);
  });
});
