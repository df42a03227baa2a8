import { useEffect, useState } from 'react';
import { CONVERSATION_PRIORITIES, CONVERSATION_STATUSES } from '@orbitdesk/shared';
import { inputClass, selectClass } from '../ui/classes';
import type { AssigneeFilter, InboxFilters, PriorityFilter, StatusFilter } from './filters';
import { useChannels, useTeams } from './queries';
import { priorityLabel } from './status-badge';

const ASSIGNEES: { value: AssigneeFilter; label: string }[] = [
  { value: 'me', label: 'Mine' },
  { value: 'unassigned', label: 'Unassigned' },
  { value: 'all', label: 'All' },
];

export function ListFilters({
  filters,
  onChange,
}: {
  filters: InboxFilters;
  onChange: (f: InboxFilters) => void;
}) {
  const channels = useChannels();
  const teams = useTeams();
  const [q, setQ] = useState(filters.q);

  // Search as the user pauses typing, not on every key.
  useEffect(() => {
    if (q === filters.q) return;
    const timer = setTimeout(() => onChange({ ...filters, q }), 300);
    return () => clearTimeout(timer);
  }, [q, filters, onChange]);

  return (
    <div className="flex flex-col gap-2 border-b border-slate-200 p-3 dark:border-slate-800">
      <input
        type="search"
        aria-label="Search conversations"
        placeholder="Search name or message…"
        className={inputClass}
        value={q}
        onChange={(e) => setQ(e.target.value)}
      />
      <div
        role="radiogroup"
        aria-label="Assignee"
        className="flex rounded-md bg-slate-100 p-0.5 text-sm dark:bg-slate-800"
      >
        {ASSIGNEES.map((a) => (
          <button
            key={a.value}
            type="button"
            role="radio"
            aria-checked={filters.assignee === a.value}
            onClick={() => onChange({ ...filters, assignee: a.value })}
            className={`flex-1 rounded px-2 py-1 ${filters.assignee === a.value ? 'bg-white font-medium shadow-sm dark:bg-slate-950' : 'text-slate-600 dark:text-slate-400'}`}
          >
            {a.label}
          </button>
        ))}
      </div>
      <div className="flex gap-2">
        <select
          aria-label="Status"
          className={selectClass}
          value={filters.status}
          onChange={(e) => onChange({ ...filters, status: e.target.value as StatusFilter })}
        >
          {CONVERSATION_STATUSES.map((s) => (
            <option key={s} value={s}>
              {s[0]?.toUpperCase() + s.slice(1)}
            </option>
          ))}
          <option value="all">Any status</option>
        </select>
        {channels.data && (
          <select
            aria-label="Inbox"
            className={selectClass}
            value={filters.channelId}
            onChange={(e) => onChange({ ...filters, channelId: e.target.value })}
          >
            <option value="">All inboxes</option>
            {channels.data.map((c) => (
              <option key={c.id} value={c.id}>
                {c.name}
              </option>
            ))}
          </select>
        )}
      </div>
      <div className="flex gap-2">
        <select
          aria-label="Team filter"
          className={selectClass}
          value={filters.team}
          onChange={(e) => onChange({ ...filters, team: e.target.value })}
        >
          <option value="">All teams</option>
          <option value="none">No team</option>
          {teams.data?.map((t) => (
            <option key={t.id} value={t.id}>
              {t.name}
            </option>
          ))}
        </select>
        <select
          aria-label="Priority filter"
          className={selectClass}
          value={filters.priority}
          onChange={(e) => onChange({ ...filters, priority: e.target.value as PriorityFilter })}
        >
          <option value="">Any priority</option>
          {[...CONVERSATION_PRIORITIES].reverse().map((p) => (
            <option key={p} value={p}>
              {priorityLabel(p)}
            </option>
          ))}
        </select>
      </div>
    </div>
  );
}
