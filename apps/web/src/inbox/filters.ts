import type { TConversation } from '@orbitdesk/shared';
import { CONVERSATION_STATUSES } from '@orbitdesk/shared';

export type StatusFilter = (typeof CONVERSATION_STATUSES)[number] | 'all';
export type AssigneeFilter = 'me' | 'unassigned' | 'all';

/** The list's filters; kept in the URL so a reload or a shared link shows the same list. */
export interface InboxFilters {
  status: StatusFilter;
  assignee: AssigneeFilter;
  channelId: string;
  q: string;
}

export function readFilters(params: URLSearchParams): InboxFilters {
  const status = params.get('status');
  const assignee = params.get('assignee');
  return {
    status:
      status === 'all' || CONVERSATION_STATUSES.some((s) => s === status) ? (status as StatusFilter) : 'open',
    assignee: assignee === 'me' || assignee === 'unassigned' ? assignee : 'all',
    channelId: params.get('channel') ?? '',
    q: params.get('q') ?? '',
  };
}

export function writeFilters(filters: InboxFilters): URLSearchParams {
  const params = new URLSearchParams();
  if (filters.status !== 'open') params.set('status', filters.status);
  if (filters.assignee !== 'all') params.set('assignee', filters.assignee);
  if (filters.channelId) params.set('channel', filters.channelId);
  if (filters.q) params.set('q', filters.q);
  return params;
}

/** The query string of GET /conversations for these filters. */
export function listQuery(filters: InboxFilters): Record<string, string | undefined> {
  return {
    status: filters.status === 'all' ? undefined : filters.status,
    assignee: filters.assignee === 'all' ? undefined : filters.assignee,
    channelId: filters.channelId || undefined,
    q: filters.q.trim() || undefined,
  };
}

/**
 * Whether a conversation belongs in a list, so live updates can add, move or drop rows without refetching.
 * `undefined` when it cannot be told here (a text search is matched by the server only).
 */
export function matchesFilters(c: TConversation, filters: InboxFilters, meId: string): boolean | undefined {
  if (filters.status !== 'all' && c.status !== filters.status) return false;
  if (filters.assignee === 'me' && c.assigneeId !== meId) return false;
  if (filters.assignee === 'unassigned' && c.assigneeId !== null) return false;
  if (filters.channelId && c.channelId !== filters.channelId) return false;
  return filters.q.trim() ? undefined : true;
}
