import type { ReactNode } from 'react';
import { secondaryButton } from './classes';

export function Spinner({ label = 'Loading' }: { label?: string }) {
  return (
    <span role="status" className="inline-flex items-center gap-2 text-sm text-slate-500 dark:text-slate-400">
      <span className="size-4 animate-spin rounded-full border-2 border-slate-300 border-t-brand-600" />
      {label}…
    </span>
  );
}

export function EmptyState({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="flex flex-col items-center gap-1 p-8 text-center text-sm text-slate-500 dark:text-slate-400">
      <p className="font-medium text-slate-700 dark:text-slate-200">{title}</p>
      {children}
    </div>
  );
}

export function ErrorState({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const message = error instanceof Error ? error.message : 'Something went wrong';
  return (
    <div role="alert" className="flex flex-col items-center gap-2 p-6 text-center text-sm">
      <p className="text-red-600 dark:text-red-400">{message}</p>
      {onRetry && (
        <button type="button" className={secondaryButton} onClick={onRetry}>
          Try again
        </button>
      )}
    </div>
  );
}

/** The part of a TanStack query a list page reads. */
interface ListQuery<T> {
  isPending: boolean;
  isError: boolean;
  error: unknown;
  data: T | undefined;
  refetch: () => Promise<unknown>;
}

/**
 * A list's four states in one place: a spinner while loading, the error with "Try again", the empty state, then the
 * list itself (`children`, given the loaded data).
 */
export function QueryStates<T>({
  query,
  loadingLabel,
  isEmpty,
  empty,
  children,
}: {
  query: ListQuery<T>;
  loadingLabel: string;
  isEmpty: (data: T) => boolean;
  empty: ReactNode;
  children: (data: T) => ReactNode;
}) {
  if (query.isPending) {
    return (
      <div className="p-6">
        <Spinner label={loadingLabel} />
      </div>
    );
  }
  if (query.isError || query.data === undefined) {
    return <ErrorState error={query.error} onRetry={() => void query.refetch()} />;
  }
  return isEmpty(query.data) ? empty : children(query.data);
}
