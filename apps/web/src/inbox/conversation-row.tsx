import type { TConversation } from '@orbitdesk/shared';
import { Link } from 'react-router';
import { initials, shortTime } from '../ui/format';
import { useContact, useUsers } from './queries';
import { PriorityBadge, StatusBadge } from './status-badge';

interface Props {
  conversation: TConversation;
  selected: boolean;
  href: string;
  channelName: string | undefined;
}

export function ConversationRow({ conversation: c, selected, href, channelName }: Props) {
  const contact = useContact(c.contactId);
  const users = useUsers();
  const name =
    contact.data?.name ?? contact.data?.phone ?? contact.data?.email ?? `Conversation #${c.number}`;
  const assignee = users.data?.find((u) => u.id === c.assigneeId);
  const unread = c.unreadCount > 0;

  return (
    <Link
      to={href}
      aria-current={selected ? 'page' : undefined}
      data-testid="conversation-row"
      data-conversation-id={c.id}
      className={`flex gap-3 border-b border-slate-100 px-4 py-3 hover:bg-slate-100 dark:border-slate-800/60 dark:hover:bg-slate-800/60 ${selected ? 'bg-brand-50 dark:bg-slate-800' : ''}`}
    >
      <span className="flex size-9 shrink-0 items-center justify-center rounded-full bg-slate-200 text-xs font-semibold text-slate-700 dark:bg-slate-700 dark:text-slate-200">
        {initials(name)}
      </span>
      <span className="min-w-0 flex-1">
        <span className="flex items-baseline gap-2">
          <span className={`truncate text-sm ${unread ? 'font-semibold' : 'font-medium'}`}>{name}</span>
          <span className="ml-auto shrink-0 text-xs text-slate-500 dark:text-slate-400">
            {shortTime(c.lastMessageAt)}
          </span>
        </span>
        <span className="flex items-center gap-2">
          <span
            className={`truncate text-sm ${unread ? 'text-slate-900 dark:text-slate-100' : 'text-slate-500 dark:text-slate-400'}`}
          >
            {c.lastMessagePreview ?? 'No messages yet'}
          </span>
          {unread && (
            <span
              className="ml-auto shrink-0 rounded-full bg-brand-600 px-1.5 py-0.5 text-xs leading-none font-semibold text-white"
              aria-label={`${c.unreadCount} unread`}
              data-testid="unread-count"
            >
              {c.unreadCount}
            </span>
          )}
        </span>
        <span className="mt-1 flex items-center gap-2 text-xs text-slate-500 dark:text-slate-400">
          <span>#{c.number}</span>
          {channelName && <span className="truncate">· {channelName}</span>}
          <StatusBadge status={c.status} />
          <PriorityBadge priority={c.priority} />
          {assignee && <span className="ml-auto truncate">{assignee.name}</span>}
        </span>
      </span>
    </Link>
  );
}
