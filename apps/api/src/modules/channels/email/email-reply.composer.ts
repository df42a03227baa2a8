import {
  emailAddressList,
  type MessageType,
  type TContact,
  type TConversation,
  type TMessage,
} from '@orbitdesk/shared';
import { ChannelSendError } from '../message-channel.js';
import { domainOf, type EmailInboxConfig } from './email-config.js';
import { isSyntheticMessageId } from './email-message-ids.js';
import type { EmailThread } from './email-threads.repository.js';

/** RFC 5322 lets References be trimmed; the newest ids are what threading clients use. */
const MAX_REFERENCES = 20;

/** An outgoing email before its files are loaded. */
export interface ReplyDraft {
  from: string | { name: string; address: string };
  to: string;
  /** Who gets a copy: the message's own `cc`, else everyone on the customer's latest email (reply all). */
  cc: string[];
  /** Who gets a blind copy: the message's own `bcc` (never in the headers; the SMTP envelope only). */
  bcc: string[];
  subject: string;
  /** Generated from the message id: the same on every retry, so a receiver sees a resend as one email. */
  messageId: string;
  inReplyTo?: string;
  references?: string[];
  text: string;
  html: string;
  /** Stored files to attach, with the name to give each (undefined: its stored name). */
  files: { attachmentId: string; filename?: string }[];
}

const MEDIA: ReadonlySet<MessageType> = new Set(['image', 'video', 'audio', 'document', 'sticker']);

/**
 * An agent's message as an email reply in the customer's thread: `Re:` the subject of the first email they
 * sent, In-Reply-To their latest email, References the conversation's latest Message-IDs (ours included).
 */
export function composeReply(input: {
  config: EmailInboxConfig;
  conversation: TConversation;
  contact: TContact;
  message: TMessage;
  thread: EmailThread;
}): ReplyDraft {
  const { config, conversation, contact, message, thread } = input;
  const to = contact.identities.find((i) => i.channelType === 'email')?.identifier ?? contact.email;
  if (!to) throw new ChannelSendError(true, 'The contact has no email address');
  const body = bodyOf(message);
  const gets = [config.emailAddress.toLowerCase(), to.toLowerCase()];
  const cc = othersThan(body.cc ?? thread.cc, gets);
  // Blind copies: only whom the message itself names, and nobody who already gets it openly.
  const bcc = othersThan(body.bcc ?? [], [...gets, ...cc]);
  const known = thread.messages.filter((m) => !isSyntheticMessageId(m.messageId));
  const inReplyTo = known.filter((m) => m.direction === 'in').at(-1)?.messageId;
  const references = known.map((m) => m.messageId).slice(-MAX_REFERENCES);
  return {
    from: config.fromName ? { name: config.fromName, address: config.emailAddress } : config.emailAddress,
    to,
    cc,
    bcc,
    subject: body.subject ?? replySubject(thread.subject, conversation.number),
    messageId: `<${message.id}@${domainOf(config.emailAddress)}>`,
    ...(inReplyTo ? { inReplyTo } : {}),
    ...(references.length ? { references } : {}),
    text: body.text,
    html: body.html ?? htmlOf(body.text),
    files: body.files,
  };
}

function replySubject(first: string | null, conversationNumber: number): string {
  const subject = first?.trim();
  if (!subject) return `Conversation #${conversationNumber}`;
  return /^re:/i.test(subject) ? subject : `Re: ${subject}`;
}

interface Body {
  text: string;
  html?: string;
  subject?: string;
  /** Given by the message (a text or file reply): replaces the thread's. */
  cc?: string[];
  /** Given by the message: blind copies of this reply only. */
  bcc?: string[];
  files: ReplyDraft['files'];
}

function bodyOf(message: TMessage): Body {
  const c = message.content;
  const str = (v: unknown) => (typeof v === 'string' && v.trim() ? v : undefined);
  if (message.type === 'text') {
    const files = Array.isArray(c.attachments)
      ? (c.attachments as { attachmentId: string; filename?: string }[])
      : [];
    return {
      text: String(c.text),
      html: str(c.html),
      subject: str(c.subject),
      ...copiesOf(c),
      files: files.map((f) => ({ attachmentId: f.attachmentId, filename: f.filename })),
    };
  }
  if (MEDIA.has(message.type)) {
    const caption = str(c.caption) ?? '';
    const attachmentId = str(c.attachmentId);
    // A file given only by URL is linked, not fetched: the worker does not download what a message points at.
    const text =
      attachmentId || !str(c.url) ? caption : [caption, String(c.url)].filter(Boolean).join('\n\n');
    return {
      text,
      files: attachmentId ? [{ attachmentId, filename: str(c.filename) }] : [],
      ...copiesOf(c),
    };
  }
  if (message.type === 'location') {
    const map = `https://www.openstreetmap.org/?mlat=${String(c.latitude)}&mlon=${String(c.longitude)}`;
    return { text: [str(c.name), str(c.address), map].filter(Boolean).join('\n'), files: [] };
  }
  throw new ChannelSendError(true, `Email inboxes cannot send ${message.type} messages`);
}

/** The message's own `cc` and `bcc`, those it names. */
const copiesOf = (c: Record<string, unknown>): { cc?: string[]; bcc?: string[] } => {
  const cc = emailAddressList(c.cc);
  const bcc = emailAddressList(c.bcc);
  return { ...(cc ? { cc } : {}), ...(bcc ? { bcc } : {}) };
};

/** `addresses` lower-case, once each, without any of `except` (lower-case already). */
const othersThan = (addresses: string[], except: string[]): string[] =>
  [...new Set(addresses.map((a) => a.toLowerCase()))].filter((a) => !except.includes(a));

const escapeHtml = (s: string) =>
  s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');

/** The plain text as HTML: escaped, line breaks kept. */
const htmlOf = (text: string) => `<div>${escapeHtml(text).replace(/\r?\n/g, '<br>\n')}</div>`;
