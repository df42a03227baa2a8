import type { TConversation } from '@orbitdesk/shared';

const STYLES: Record<TConversation['status'], string> = {
  open: 'bg-emerald-100 text-emerald-800 dark:bg-emerald-950 dark:text-emerald-300',
  pending: 'bg-amber-100 text-amber-800 dark:bg-amber-950 dark:text-amber-300',
  snoozed: 'bg-violet-100 text-violet-800 dark:bg-violet-950 dark:text-violet-300',
  resolved: 'bg-slate-200 text-slate-700 dark:bg-slate-800 dark:text-slate-300',
};

export function StatusBadge({ status }: { status: TConversation['status'] }) {
  return <span className={`rounded px-1.5 py-0.5 text-[11px] font-medium ${STYLES[status]}`}>{status}</span>;
}

const PRIORITY_STYLES: Record<Exclude<TConversation['priority'], 'none'>, string> = {
  low: 'bg-slate-100 text-slate-600 dark:bg-slate-800 dark:text-slate-300',
  medium: 'bg-sky-100 text-sky-800 dark:bg-sky-950 dark:text-sky-300',
  high: 'bg-orange-100 text-orange-800 dark:bg-orange-950 dark:text-orange-300',
  urgent: 'bg-red-100 text-red-800 dark:bg-red-950 dark:text-red-300',
};

/** A priority in words: `High`, or `No priority`. */
export function priorityLabel(priority: TConversation['priority']): string {
  return priority === 'none' ? 'No priority' : `${priority[0]!.toUpperCase()}${priority.slice(1)}`;
}

/** A conversation's priority, unless it has none. */
export function PriorityBadge({ priority }: { priority: TConversation['priority'] }) {
  if (priority === 'none') return null;
  return (
    <span
      className={`rounded px-1.5 py-0.5 text-[11px] font-medium ${PRIORITY_STYLES[priority]}`}
      data-testid="priority-badge"
      title={`Priority: ${priority}`}
    >
      {priority}
    </span>
  );
}
