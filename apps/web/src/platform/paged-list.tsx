import type { ReactNode } from 'react';
import { secondaryButton } from '../ui/classes';
import { EmptyState, ErrorState, Spinner } from '../ui/states';

interface PagedQuery {
  isPending: boolean;
  isError: boolean;
  error: unknown;
  refetch: () => Promise<unknown>;
  hasNextPage: boolean;
  isFetchingNextPage: boolean;
  fetchNextPage: () => Promise<unknown>;
}

/** Loading, error and empty states around a keyset-paged list, with its "Load more" button. */
export function PagedList({
  query,
  count,
  what,
  children,
}: {
  query: PagedQuery;
  count: number;
  what: string;
  children: ReactNode;
}) {
  if (query.isPending)
    return (
      <div className="p-6 text-center">
        <Spinner label={`Loading ${what}`} />
      </div>
    );
  if (query.isError) return <ErrorState error={query.error} onRetry={() => void query.refetch()} />;
  if (count === 0) return <EmptyState title={`No ${what}`}>Nothing matches these filters.</EmptyState>;
  return (
    <>
      {children}
      {query.hasNextPage && (
        <div className="p-3 text-center">
          <button
            type="button"
            className={secondaryButton}
            disabled={query.isFetchingNextPage}
            onClick={() => void query.fetchNextPage()}
          >
            {query.isFetchingNextPage ? 'Loading…' : 'Load more'}
          </button>
        </div>
      )}
    </>
  );
}
