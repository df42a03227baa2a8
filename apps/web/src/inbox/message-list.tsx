import { useLayoutEffect, useRef, useState } from 'react';
import { EmptyState, ErrorState, Spinner } from '../ui/states';
import { useInView } from '../ui/use-in-view';
import { MessageBubble } from './message-bubble';
import { useMessages, useUsers } from './queries';

const NEAR_BOTTOM_PX = 120;

/**
 * The thread's messages, oldest at the top. Opens at the bottom; scrolling to the top loads older pages
 * without moving what is on screen; new messages scroll into view only when the reader is already at the
 * bottom (or wrote them).
 */
export function MessageList({ conversationId }: { conversationId: string }) {
  const messages = useMessages(conversationId);
  const users = useUsers();
  const scroller = useRef<HTMLDivElement>(null);
  const atBottom = useRef(true);
  const snapshot = useRef({ pages: 0, height: 0, newestId: '' });
  const [settled, setSettled] = useState(false);

  const pages = messages.data?.pages ?? [];
  const newest = pages[0]?.items[0];
  const ordered = pages.flatMap((p) => p.items).reverse();

  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el || pages.length === 0) return;
    const before = snapshot.current;
    if (before.pages === 0) {
      el.scrollTop = el.scrollHeight;
      setSettled(true);
    } else if (pages.length > before.pages) {
      el.scrollTop += el.scrollHeight - before.height;
    } else if (newest && newest.id !== before.newestId && (atBottom.current || newest.direction === 'out')) {
      el.scrollTop = el.scrollHeight;
    }
    snapshot.current = { pages: pages.length, height: el.scrollHeight, newestId: newest?.id ?? '' };
  });

  const canLoadOlder = settled && messages.hasNextPage && !messages.isFetchingNextPage;
  const top = useInView<HTMLDivElement>(() => {
    if (canLoadOlder) void messages.fetchNextPage();
  }, canLoadOlder);

  const onScroll = () => {
    const el = scroller.current;
    if (el) atBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < NEAR_BOTTOM_PX;
  };

  return (
    <div
      ref={scroller}
      onScroll={onScroll}
      className="min-h-0 flex-1 overflow-y-auto bg-slate-50 px-4 py-4 dark:bg-slate-950"
      data-testid="message-list"
    >
      {messages.isPending ? (
        <div className="p-6 text-center">
          <Spinner label="Loading messages" />
        </div>
      ) : messages.isError ? (
        <ErrorState error={messages.error} onRetry={() => void messages.refetch()} />
      ) : ordered.length === 0 ? (
        <EmptyState title="No messages yet" />
      ) : (
        <>
          {messages.hasNextPage && (
            <div ref={top} className="pb-3 text-center">
              {messages.isFetchingNextPage && <Spinner label="Loading earlier messages" />}
            </div>
          )}
          <div className="flex flex-col gap-2">
            {ordered.map((m) => (
              <MessageBubble key={m.id} message={m} users={users.data} />
            ))}
          </div>
        </>
      )}
    </div>
  );
}
