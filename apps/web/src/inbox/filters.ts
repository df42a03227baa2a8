import type { TConversation } from '@orbitdesk/shared';
import { CONVERSATION_PRIORITIES, CONVERSATION_STATUSES } from '@orbitdesk/shared';

export type StatusFilter = (typeof CONVERSATION_STATUSES)[number] | 'all';
export type AssigneeFilter = 'me' | 'unassigned' | 'all';
/** '' for any priority. */
export type PriorityFilter = TConversation['priority'] | '';

/** The list's filters; kept in the URL so a reload or a shared link shows the same list. */
export interface InboxFilters {
  status: StatusFilter;
  assignee: AssigneeFilter;
  channelId: string;
  /** '' for any team, 'none' for conversations without one, else a team id. */
  team: string;
  priority: PriorityFilter;
  q: string;
}

export function readFilters(params: URLSearchParams): InboxFilters {
  const status = params.get('status');
  const assignee = params.get('assignee');
  const priority = params.get('priority');
  return {
    status:
      status === 'all' || CONVERSATION_STATUSES.some((s) => s === status) ? (status as StatusFilter) : 'open',
    assignee: assignee === 'me' || assignee === 'unassigned' ? assignee : 'all',
    channelId: params.get('channel') ?? '',
    team: params.get('team') ?? '',
    priority: CONVERSATION_PRIORITIES.some((p) => p === priority) ? (priority as PriorityFilter) : '',
    q: params.get('q') ?? '',
  };
}

export function writeFilters(filters: InboxFilters): URLSearchParams {
  const params = new URLSearchParams();
  if (filters.status !== 'open') params.set('status', filters.status);
  if (filters.assignee !== 'all') params.set('assignee', filters.assignee);
  if (filters.channelId) params.set('channel', filters.channelId);
  if (filters.team) params.set('team', filters.team);
  if (filters.priority) params.set('priority', filters.priority);
  if (filters.q) params.set('q', filters.q);
  return params;
}

/** The query string of GET /conversations for these filters. */
export function listQuery(filters: InboxFilters): Record<string, string | undefined> {
  return {
    status: filters.status === 'all' ? undefined : filters.status,
    assignee: filters.assignee === 'all' ? undefined : filters.assignee,
    channelId: filters.channelId || undefined,
    team: filters.team || undefined,
    priority: filters.priority || undefined,
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
  if (filters.team === 'none' ? c.teamId !== null : filters.team && c.teamId !== filters.team) return false;
  if (filters.priority && c.priority !== filters.priority) return false;
  return filters.q.trim() ? undefined : true;
}
