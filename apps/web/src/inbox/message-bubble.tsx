import type { ReactNode } from 'react';
import type { TMessage, TUser } from '@orbitdesk/shared';
import { fullTime, shortTime } from '../ui/format';
import { ClockIcon } from '../ui/icons';
import { AttachmentView } from './attachment-view';
import { emailCopies } from './email';
import { splitMentions } from './mentions';
import { UnderstandingChips } from './understanding-chips';

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

function Body({ message }: { message: TMessage }) {
  const c = message.content;
  switch (message.type) {
    case 'text': {
      const text = str(c.text) ?? '';
      return (
        <>
          {str(c.subject) && <p className="mb-1 font-semibold">{str(c.subject)}</p>}
          {emailCopies(c, 'cc') && <p className="mb-1 text-xs opacity-75">Cc: {emailCopies(c, 'cc')}</p>}
          {emailCopies(c, 'bcc') && (
            <p className="mb-1 text-xs opacity-75" data-testid="message-bcc">
              Bcc: {emailCopies(c, 'bcc')}
            </p>
          )}
          <p className="break-words whitespace-pre-wrap">
            {splitMentions(text).map((part, i) =>
              part.mention ? (
                <span key={i} className="font-semibold text-brand-700 dark:text-brand-100">
                  {part.text}
                </span>
              ) : (
                part.text
              ),
            )}
          </p>
        </>
      );
    }
    case 'image':
    case 'video':
    case 'audio':
    case 'document':
    case 'sticker': {
      const id = str(c.attachmentId);
      const url = str(c.url);
      return (
        <div className="flex flex-col gap-1">
          {id ? (
            <AttachmentView attachmentId={id} filename={str(c.filename)} />
          ) : url ? (
            <a href={url} target="_blank" rel="noreferrer" className="underline">
              {str(c.filename) ?? url}
            </a>
          ) : (
            <span>[{message.type}]</span>
          )}
          {str(c.caption) && <p className="whitespace-pre-wrap">{str(c.caption)}</p>}
        </div>
      );
    }
    case 'location':
      return (
        <a
          className="underline"
          target="_blank"
          rel="noreferrer"
          href={`https://www.openstreetmap.org/?mlat=${String(c.latitude)}&mlon=${String(c.longitude)}`}
        >
          Location: {str(c.name) ?? str(c.address) ?? `${String(c.latitude)}, ${String(c.longitude)}`}
        </a>
      );
    case 'template':
      return <p className="italic">Template: {str(c.name)}</p>;
    case 'contacts':
    case 'interactive':
      return <p className="italic">[{message.type}]</p>;
  }
}

const TICKS: Record<TMessage['status'], { mark: ReactNode; label: string }> = {
  received: { mark: null, label: 'Received' },
  queued: { mark: <ClockIcon />, label: 'Queued' },
  sent: { mark: '✓', label: 'Sent' },
  delivered: { mark: '✓✓', label: 'Delivered' },
  read: { mark: '✓✓', label: 'Read' },
  failed: { mark: '!', label: 'Failed' },
};

function senderName(message: TMessage, users: TUser[] | undefined): string | null {
  switch (message.senderType) {
    case 'contact':
      return null;
    case 'user':
      return users?.find((u) => u.id === message.senderId)?.name ?? 'Agent';
    case 'bot':
      return 'Bot';
    case 'flow':
      return 'Flow';
    case 'campaign':
      return 'Campaign';
  }
}

/** One message: the contact's on the left, ours on the right, private notes set apart in amber. */
export function MessageBubble({ message, users }: { message: TMessage; users: TUser[] | undefined }) {
  const outgoing = message.direction === 'out';
  const tick = TICKS[message.status];
  const tone = message.isPrivate
    ? 'border border-amber-300 bg-amber-50 text-amber-950 dark:border-amber-700/60 dark:bg-amber-950/60 dark:text-amber-100'
    : outgoing
      ? 'bg-brand-600 text-white'
      : 'bg-white text-slate-900 border border-slate-200 dark:border-slate-700 dark:bg-slate-800 dark:text-slate-100';
  const sender = senderName(message, users);

  return (
    <div
      className={`flex ${outgoing ? 'justify-end' : 'justify-start'}`}
      data-testid="message"
      data-direction={message.direction}
      data-status={message.status}
      data-private={message.isPrivate || undefined}
    >
      <div className={`max-w-[80%] rounded-2xl px-3.5 py-2 text-sm shadow-sm ${tone}`}>
        {message.isPrivate && (
          <p className="mb-0.5 text-[11px] font-semibold tracking-wide uppercase opacity-80">Private note</p>
        )}
        <Body message={message} />
        <p
          className={`mt-1 flex items-center justify-end gap-1.5 text-[11px] ${message.isPrivate || !outgoing ? 'opacity-60' : 'text-white/75'}`}
        >
          {sender && <span>{sender} ·</span>}
          <time dateTime={message.createdAt} title={fullTime(message.createdAt)}>
            {shortTime(message.createdAt)}
          </time>
          {outgoing && !message.isPrivate && tick.mark && (
            <span
              title={message.failureReason ? `${tick.label}: ${message.failureReason}` : tick.label}
              aria-label={tick.label}
              data-testid="message-status"
              className={
                message.status === 'read'
                  ? 'font-bold text-sky-200'
                  : message.status === 'failed'
                    ? 'font-bold text-red-200'
                    : ''
              }
            >
              {tick.mark}
            </span>
          )}
        </p>
        {message.status === 'failed' && message.failureReason && (
          <p className="mt-1 text-xs text-red-100">{message.failureReason}</p>
        )}
        {!outgoing && message.understanding && <UnderstandingChips understanding={message.understanding} />}
      </div>
    </div>
  );
}
