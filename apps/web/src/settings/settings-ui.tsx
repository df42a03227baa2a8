import type { ReactNode } from 'react';
import { ApiError } from '../api/client';

/** A page heading with its actions on the right. */
export function SectionHeader({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="flex flex-wrap items-center justify-between gap-3">
      <h2 className="text-lg font-semibold">{title}</h2>
      {children && <div className="flex items-center gap-2">{children}</div>}
    </div>
  );
}

/** The message of a failed mutation, shown where it happened. */
export function MutationError({ error }: { error: unknown }) {
  if (!error) return null;
  return (
    <p role="alert" className="text-sm text-red-600 dark:text-red-400">
      {error instanceof ApiError ? error.message : 'Could not reach the server; check your connection'}
    </p>
  );
}

/** A small coloured label (active, revoked, succeeded…). */
export function Badge({
  tone,
  children,
}: {
  tone: 'green' | 'red' | 'amber' | 'slate';
  children: ReactNode;
}) {
  const tones = {
    green: 'bg-emerald-50 text-emerald-700 dark:bg-emerald-950 dark:text-emerald-300',
    red: 'bg-red-50 text-red-700 dark:bg-red-950 dark:text-red-300',
    amber: 'bg-amber-50 text-amber-800 dark:bg-amber-950 dark:text-amber-200',
    slate: 'bg-slate-100 text-slate-600 dark:bg-slate-800 dark:text-slate-300',
  };
  return <span className={`rounded-full px-2 py-0.5 text-xs font-medium ${tones[tone]}`}>{children}</span>;
}

const thClass = 'px-3 py-2 text-xs font-semibold tracking-wide text-slate-500 uppercase dark:text-slate-400';
export const tdClass = 'border-t border-slate-100 px-3 py-2 align-top dark:border-slate-800';

/** A column heading: its text; `hidden` for icon and action columns (read to screen readers only); `numeric` aligns right. */
export type Column = string | { label: string; hidden?: boolean; numeric?: boolean };

/**
 * The table of a list page: scrolls sideways on narrow screens, a header row from `columns` (`false` leaves a
 * column out, for columns shown to some roles only), and the caller's rows.
 */
export function DataTable({ columns, children }: { columns: (Column | false)[]; children: ReactNode }) {
  return (
    <div className="overflow-x-auto">
      <table className="w-full text-left text-sm">
        <thead>
          <tr>
            {columns.map((column) => {
              if (column === false) return null;
              const { label, hidden, numeric } = typeof column === 'string' ? { label: column } : column;
              return (
                <th key={label} className={numeric ? `${thClass} text-right` : thClass}>
                  {hidden ? <span className="sr-only">{label}</span> : label}
                </th>
              );
            })}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}
