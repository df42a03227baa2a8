import { useParams, useSearchParams } from 'react-router';
import { EmptyState } from '../ui/states';
import { ConversationList } from './conversation-list';
import { DetailsPane } from './details-pane';
import { readFilters, writeFilters, type InboxFilters } from './filters';
import { Thread } from './thread';

/**
 * Three panes: the list, the open thread, the contact. On narrow screens only one shows at a time: the list
 * until a conversation is opened, then the thread (with a way back).
 */
export function InboxPage() {
  const { conversationId } = useParams();
  const [params, setParams] = useSearchParams();
  const filters = readFilters(params);
  const setFilters = (next: InboxFilters) => setParams(writeFilters(next), { replace: true });
  const search = params.toString() ? `?${params.toString()}` : '';

  return (
    <div className="flex h-full min-h-0">
      <section
        aria-label="Conversations"
        className={`${conversationId ? 'hidden md:flex' : 'flex'} w-full flex-col border-r border-slate-200 md:w-80 lg:w-96 dark:border-slate-800`}
      >
        <ConversationList
          filters={filters}
          onFiltersChange={setFilters}
          selectedId={conversationId}
          search={search}
        />
      </section>
      <section
        aria-label="Conversation"
        className={`${conversationId ? 'flex' : 'hidden md:flex'} min-w-0 flex-1 flex-col`}
      >
        {conversationId ? (
          <Thread key={conversationId} conversationId={conversationId} backTo={`/inbox${search}`} />
        ) : (
          <div className="flex flex-1 items-center justify-center">
            <EmptyState title="No conversation open">Pick one from the list.</EmptyState>
          </div>
        )}
      </section>
      {conversationId && (
        <aside
          aria-label="Contact details"
          className="hidden w-72 shrink-0 overflow-y-auto border-l border-slate-200 xl:block dark:border-slate-800"
        >
          <DetailsPane key={conversationId} conversationId={conversationId} />
        </aside>
      )}
    </div>
  );
}
