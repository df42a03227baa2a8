import type { FlowStatus } from '@orbitdesk/shared';

const STYLES: Record<FlowStatus, string> = {
  DRAFT: 'bg-slate-100 text-slate-700 dark:bg-slate-800 dark:text-slate-300',
  ACTIVE: 'bg-emerald-100 text-emerald-800 dark:bg-emerald-950 dark:text-emerald-300',
  PAUSED: 'bg-amber-100 text-amber-800 dark:bg-amber-950 dark:text-amber-300',
  ARCHIVED: 'bg-slate-200 text-slate-500 dark:bg-slate-800 dark:text-slate-500',
};

export function FlowStatusBadge({ status }: { status: FlowStatus }) {
  return (
    <span
      data-testid="flow-status"
      className={`rounded-full px-2 py-0.5 text-xs font-medium ${STYLES[status]}`}
    >
      {status.toLowerCase()}
    </span>
  );
}
