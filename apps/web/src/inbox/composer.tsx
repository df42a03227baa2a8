import { useEffect, useRef, useState, type KeyboardEvent } from 'react';
import type { TUser } from '@orbitdesk/shared';
import { ApiError } from '../api/client';
import { currentSocket } from '../realtime/socket';
import { ghostButton, primaryButton } from '../ui/classes';
import { PaperclipIcon } from '../ui/icons';
import { parseAddresses } from './email';
import { MentionList } from './mention-list';
import { mentionQuery, mentionToken } from './mentions';
import { messageTypeFor, uploadAttachment, useSendMessage } from './mutations';
import { useUsers } from './queries';

const TYPING_IDLE_MS = 3_000;

interface Props {
  conversationId: string;
  /** False when the service window has closed: only private notes may be written. */
  canReply: boolean;
  /** Email inboxes: who a reply copies unless the agent changes it (everyone on the customer's latest email). */
  emailCc?: string[];
}

/**
 * Reply or private note. Enter sends, Shift+Enter breaks the line. In a note, `@` offers the workspace's
 * users and inserts the mention token the API notifies. A picked file is uploaded first, then sent by id.
 */
export function Composer({ conversationId, canReply, emailCc }: Props) {
  const [text, setText] = useState('');
  const defaultCc = emailCc?.join(', ') ?? '';
  // The Cc field: the thread's default until the agent edits it (then the reply names its own cc).
  const [cc, setCc] = useState<{ typed: string; edited: boolean }>({ typed: defaultCc, edited: false });
  useEffect(() => {
    setCc((current) => (current.edited ? current : { typed: defaultCc, edited: false }));
  }, [defaultCc]);
  useEffect(() => setCc({ typed: defaultCc, edited: false }), [conversationId]);
  // Blind copies: none unless the agent names them, for this reply only.
  const [bcc, setBcc] = useState('');
  useEffect(() => setBcc(''), [conversationId]);
  const [isPrivate, setPrivate] = useState(!canReply);
  const [file, setFile] = useState<File | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [mention, setMention] = useState<{ start: number; query: string } | null>(null);
  const [highlight, setHighlight] = useState(0);
  const textarea = useRef<HTMLTextAreaElement>(null);
  const fileInput = useRef<HTMLInputElement>(null);
  const typingTimer = useRef<ReturnType<typeof setTimeout>>(undefined);
  const typing = useRef(false);
  const users = useUsers();
  const send = useSendMessage();
  const blocked = !isPrivate && !canReply;

  const candidates: TUser[] =
    mention && isPrivate
      ? (users.data ?? [])
          .filter((u) => u.isActive && u.name.toLowerCase().includes(mention.query.toLowerCase()))
          .slice(0, 6)
      : [];

  const setTypingState = (next: boolean) => {
    clearTimeout(typingTimer.current);
    if (next) typingTimer.current = setTimeout(() => setTypingState(false), TYPING_IDLE_MS);
    if (typing.current === next) return;
    typing.current = next;
    currentSocket()?.emit('typing', { conversationId, isTyping: next });
  };
  // Leaving the conversation stops the typing signal.
  useEffect(() => () => setTypingState(false), []);

  const insertMention = (user: TUser) => {
    if (!mention) return;
    const caret = textarea.current?.selectionStart ?? text.length;
    const token = `${mentionToken(user.name, user.id)} `;
    const next = text.slice(0, mention.start) + token + text.slice(caret);
    setText(next);
    setMention(null);
    requestAnimationFrame(() => {
      const at = mention.start + token.length;
      textarea.current?.setSelectionRange(at, at);
      textarea.current?.focus();
    });
  };

  const submit = async () => {
    const body = text.trim();
    if (busy || blocked || (!body && !file)) return;
    setBusy(true);
    setError(null);
    try {
      const email = emailCc !== undefined && !isPrivate;
      const blind = email ? parseAddresses(bcc) : [];
      const copies = {
        ...(email && cc.edited ? { cc: parseAddresses(cc.typed) } : {}),
        ...(blind.length ? { bcc: blind } : {}),
      };
      if (file) {
        const stored = await uploadAttachment(file);
        await send.mutateAsync({
          conversationId,
          isPrivate,
          type: messageTypeFor(stored.contentType),
          content: {
            attachmentId: stored.id,
            filename: stored.fileName,
            mimeType: stored.contentType,
            ...(body ? { caption: body } : {}),
            ...copies,
          },
        });
      } else {
        await send.mutateAsync({
          conversationId,
          isPrivate,
          type: 'text',
          content: { text: body, ...copies },
        });
      }
      setText('');
      setCc({ typed: defaultCc, edited: false });
      setBcc('');
      setFile(null);
      setTypingState(false);
    } catch (err) {
      setError(err instanceof ApiError ? err.message : 'Could not send; check your connection');
    } finally {
      setBusy(false);
      textarea.current?.focus();
    }
  };

  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (candidates.length > 0) {
      if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
        e.preventDefault();
        const step = e.key === 'ArrowDown' ? 1 : -1;
        setHighlight((h) => (h + step + candidates.length) % candidates.length);
        return;
      }
      if (e.key === 'Enter' || e.key === 'Tab') {
        e.preventDefault();
        const user = candidates[highlight];
        if (user) insertMention(user);
        return;
      }
      if (e.key === 'Escape') {
        e.preventDefault();
        setMention(null);
        return;
      }
    }
    if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
      e.preventDefault();
      void submit();
    }
  };

  return (
    <div
      className={`border-t px-4 py-3 ${isPrivate ? 'border-amber-300 bg-amber-50 dark:border-amber-800 dark:bg-amber-950/40' : 'border-slate-200 bg-white dark:border-slate-800 dark:bg-slate-900'}`}
    >
      <div className="mb-2 flex items-center gap-2 text-sm">
        <div
          role="group"
          aria-label="Message kind"
          className="flex rounded-md bg-slate-100 p-0.5 dark:bg-slate-800"
        >
          <button
            type="button"
            aria-pressed={!isPrivate}
            disabled={!canReply}
            onClick={() => setPrivate(false)}
            className={`rounded px-2.5 py-1 disabled:opacity-50 ${!isPrivate ? 'bg-white font-medium shadow-sm dark:bg-slate-950' : ''}`}
          >
            Reply
          </button>
          <button
            type="button"
            aria-pressed={isPrivate}
            onClick={() => setPrivate(true)}
            data-testid="private-toggle"
            className={`rounded px-2.5 py-1 ${isPrivate ? 'bg-amber-200 font-medium text-amber-950 shadow-sm dark:bg-amber-800 dark:text-amber-50' : ''}`}
          >
            Private note
          </button>
        </div>
        {file && (
          <span className="flex items-center gap-1 truncate rounded bg-slate-100 px-2 py-1 text-xs dark:bg-slate-800">
            <PaperclipIcon /> {file.name}
            <button
              type="button"
              aria-label="Remove attachment"
              onClick={() => setFile(null)}
              className="ml-1"
            >
              ✕
            </button>
          </span>
        )}
      </div>
      {emailCc !== undefined && !isPrivate && (
        <label className="mb-2 flex items-center gap-2 text-xs text-slate-600 dark:text-slate-400">
          Cc
          <input
            type="text"
            value={cc.typed}
            aria-label="Cc"
            data-testid="composer-cc"
            placeholder="Nobody else"
            className="flex-1 rounded-md border border-slate-300 bg-white px-2 py-1 text-sm dark:border-slate-700 dark:bg-slate-950"
            onChange={(e) => setCc({ typed: e.target.value, edited: true })}
          />
        </label>
      )}
      {emailCc !== undefined && !isPrivate && (
        <label className="mb-2 flex items-center gap-2 text-xs text-slate-600 dark:text-slate-400">
          Bcc
          <input
            type="text"
            value={bcc}
            aria-label="Bcc"
            data-testid="composer-bcc"
            placeholder="Nobody"
            className="flex-1 rounded-md border border-slate-300 bg-white px-2 py-1 text-sm dark:border-slate-700 dark:bg-slate-950"
            onChange={(e) => setBcc(e.target.value)}
          />
        </label>
      )}
      <div className="relative flex items-end gap-2">
        {candidates.length > 0 && (
          <MentionList users={candidates} highlight={highlight} onPick={insertMention} />
        )}
        <button
          type="button"
          className={ghostButton}
          aria-label="Attach a file"
          disabled={blocked}
          onClick={() => fileInput.current?.click()}
        >
          <PaperclipIcon />
        </button>
        <input
          ref={fileInput}
          type="file"
          className="hidden"
          data-testid="file-input"
          onChange={(e) => {
            setFile(e.target.files?.[0] ?? null);
            e.target.value = '';
          }}
        />
        <textarea
          ref={textarea}
          rows={2}
          value={text}
          disabled={blocked}
          aria-label={isPrivate ? 'Private note' : 'Reply'}
          data-testid="composer"
          placeholder={
            blocked
              ? 'The 24-hour window has closed: only templates can be sent'
              : isPrivate
                ? 'Note for your team — type @ to mention someone'
                : 'Reply… (Enter to send, Shift+Enter for a new line)'
          }
          className="max-h-40 min-h-10 flex-1 resize-y rounded-md border border-slate-300 bg-white px-3 py-2 text-sm focus:border-brand-500 focus:ring-2 focus:ring-brand-500/30 focus:outline-none dark:border-slate-700 dark:bg-slate-950"
          onKeyDown={onKeyDown}
          onChange={(e) => {
            setText(e.target.value);
            setMention(mentionQuery(e.target.value, e.target.selectionStart));
            setHighlight(0);
            if (!isPrivate) setTypingState(e.target.value.length > 0);
          }}
        />
        <button
          type="button"
          className={primaryButton}
          disabled={busy || blocked || (!text.trim() && !file)}
          onClick={() => void submit()}
          data-testid="send"
        >
          {busy ? 'Sending…' : isPrivate ? 'Add note' : 'Send'}
        </button>
      </div>
      {error && (
        <p role="alert" className="mt-2 text-xs text-red-600 dark:text-red-400" data-testid="composer-error">
          {error}
        </p>
      )}
    </div>
  );
}
