import { useEffect, useState } from 'react';
import { joinConversation } from '../realtime/socket';
import { durationLeft } from '../ui/format';
import { ErrorState, Spinner } from '../ui/states';
import { Composer } from './composer';
import { replyAllCc } from './email';
import { MessageList } from './message-list';
import { useMarkRead } from './mutations';
import { useChannels, useConversation, useMessages } from './queries';
import { serviceWindow, type ServiceWindow } from './service-window';
import { ThreadHeader } from './thread-header';
import { TypingIndicator } from './typing-indicator';

function useNow(everyMs: number): number {
  const [now, setNow] = useState(Date.now);
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(timer);
  }, [everyMs]);
  return now;
}

function WindowBanner({ window }: { window: ServiceWindow }) {
  const now = useNow(30_000);
  if (window.kind === 'none') return null;
  const open = window.kind === 'open';
  return (
    <p
      data-testid="service-window"
      className={`px-4 py-1.5 text-xs ${open ? 'bg-emerald-50 text-emerald-800 dark:bg-emerald-950/50 dark:text-emerald-300' : 'bg-red-50 text-red-800 dark:bg-red-950/50 dark:text-red-300'}`}
    >
      {open
        ? `24-hour window open: ${durationLeft(window.closesAt - now)} left to reply freely.`
        : 'The 24-hour window has closed: only approved templates can be sent until the contact writes again.'}
    </p>
  );
}

/** The open conversation: header with actions, messages, typing, the window banner and the composer. */
export function Thread({ conversationId, backTo }: { conversationId: string; backTo: string }) {
  const conversation = useConversation(conversationId);
  const messages = useMessages(conversationId);
  const channels = useChannels();
  const markRead = useMarkRead();
  const now = useNow(60_000);
  const unread = conversation.data?.unreadCount ?? 0;

  useEffect(() => joinConversation(conversationId), [conversationId]);

  // Opening the conversation reads it; so does a new message arriving while it is open.
  const { mutate: read } = markRead;
  useEffect(() => {
    if (unread > 0) read(conversationId);
  }, [conversationId, unread, read]);

  if (conversation.isPending) {
    return (
      <div className="flex flex-1 items-center justify-center">
        <Spinner label="Loading conversation" />
      </div>
    );
  }
  if (conversation.isError)
    return <ErrorState error={conversation.error} onRetry={() => void conversation.refetch()} />;

  const channelType = channels.data?.find((c) => c.id === conversation.data.channelId)?.type;
  const loaded = messages.data?.pages.flatMap((p) => p.items) ?? [];
  const window = serviceWindow(channelType, loaded, messages.isSuccess && !messages.hasNextPage, now);

  return (
    <div className="flex min-h-0 flex-1 flex-col">
      <ThreadHeader conversation={conversation.data} backTo={backTo} />
      <MessageList conversationId={conversationId} />
      <TypingIndicator conversationId={conversationId} />
      <WindowBanner window={window} />
      <Composer
        conversationId={conversationId}
        canReply={window.kind !== 'closed'}
        emailCc={channelType === 'email' ? replyAllCc(loaded) : undefined}
      />
    </div>
  );
}
