import { secondaryButton } from '../ui/classes';
import { EmptyState, ErrorState, Spinner } from '../ui/states';
import { useInView } from '../ui/use-in-view';
import { ConversationRow } from './conversation-row';
import type { InboxFilters } from './filters';
import { ListFilters } from './list-filters';
import { useChannels, useConversationList } from './queries';

interface Props {
  filters: InboxFilters;
  onFiltersChange: (filters: InboxFilters) => void;
  selectedId: string | undefined;
  search: string;
}

export function ConversationList({ filters, onFiltersChange, selectedId, search }: Props) {
  const list = useConversationList(filters);
  const channels = useChannels();
  const canLoadMore = list.hasNextPage && !list.isFetchingNextPage;
  const loadMore = () => {
    if (canLoadMore) void list.fetchNextPage();
  };
  const sentinel = useInView<HTMLDivElement>(loadMore, canLoadMore);
  const items = list.data?.pages.flatMap((p) => p.items) ?? [];
  const channelName = (id: string) => channels.data?.find((c) => c.id === id)?.name;

  return (
    <>
      <ListFilters filters={filters} onChange={onFiltersChange} />
      <div className="min-h-0 flex-1 overflow-y-auto" data-testid="conversation-list">
        {list.isPending ? (
          <div className="p-6 text-center">
            <Spinner label="Loading conversations" />
          </div>
        ) : list.isError ? (
          <ErrorState error={list.error} onRetry={() => void list.refetch()} />
        ) : items.length === 0 ? (
          <EmptyState title="No conversations">Nothing matches these filters.</EmptyState>
        ) : (
          <ul>
            {items.map((c) => (
              <li key={c.id}>
                <ConversationRow
                  conversation={c}
                  selected={c.id === selectedId}
                  href={`/inbox/${c.id}${search}`}
                  channelName={channelName(c.channelId)}
                />
              </li>
            ))}
          </ul>
        )}
        {list.hasNextPage && (
          <div ref={sentinel} className="p-3 text-center">
            <button type="button" className={secondaryButton} onClick={loadMore} disabled={!canLoadMore}>
              {list.isFetchingNextPage ? 'Loading…' : 'Load more'}
            </button>
          </div>
        )}
      </div>
    </>
  );
}
