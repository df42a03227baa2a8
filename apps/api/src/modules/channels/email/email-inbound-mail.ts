import { MAX_EMAIL_CC } from '@orbitdesk/shared';
import { simpleParser, type AddressObject, type Attachment, type ParsedMail } from 'mailparser';
import { contentMessageId, ownMessageId, referencedMessageIds } from './email-message-ids.js';
import { stripQuotedReply } from './email-quoted-reply.js';

/** Limits of the text content schema (ZTextContent). */
const MAX_TEXT = 65_536;
const MAX_HTML = 1_048_576;
const MAX_SUBJECT = 998;
const MAX_NAME = 256;
/** The text content must not be blank; a message that is only attachments still needs a line. */
const NO_TEXT = '(no text)';

/** One received email, reduced to what the inbox stores. */
export interface InboundMail {
  /** Its Message-ID (or a content hash when it has none): the provider id that makes a redelivery a duplicate. */
  messageId: string;
  /** The ids it replies to, most telling first: how it finds its conversation. */
  referencedIds: string[];
  from: { address: string; name?: string };
  /** The others it was sent to (To and Cc, without the inbox and the sender), lower-case, first 50. */
  cc: string[];
  subject?: string;
  text: string;
  html?: string;
  sentAt?: string;
  attachments: Attachment[];
}

export type ReadResult = { mail: InboundMail } | { skipped: string };

/**
 * Parses one message as fetched from IMAP and decides whether it belongs in the inbox. Skipped: mail without a
 * sender, mail from the inbox's own address (our own replies, copied back by some servers), and automatic mail
 * (out-of-office replies, bounces), which must never start an exchange of automatic answers.
 */
export async function readInboundMail(raw: Buffer, inboxAddress: string): Promise<ReadResult> {
  // cid: images stay references (inlining them as data: URIs would multiply the stored HTML); no text → HTML
  // conversion is wanted beyond what is done below.
  const parsed = await simpleParser(raw, { skipImageLinks: true, skipTextToHtml: true, skipTextLinks: true });
  const sender = parsed.from?.value.find((a) => a.address);
  if (!sender?.address) return { skipped: 'it has no sender address' };
  const address = sender.address.toLowerCase();
  // RFC 5321's limit; anything longer cannot be answered and would not fit the contact's identifier.
  if (address.length > 254) return { skipped: 'its sender address is too long' };
  if (address === inboxAddress.toLowerCase()) return { skipped: "it was sent from the inbox's own address" };
  const automatic = automaticMailReason(parsed);
  if (automatic) return { skipped: automatic };

  const subject = parsed.subject?.slice(0, MAX_SUBJECT);
  const html = typeof parsed.html === 'string' && parsed.html.length <= MAX_HTML ? parsed.html : undefined;
  const body = parsed.text?.trim() ? parsed.text : html ? await textOfHtml(html) : '';
  const text = stripQuotedReply(body).trim() || subject?.trim() || NO_TEXT;
  const name = sender.name?.trim().slice(0, MAX_NAME);
  return {
    mail: {
      messageId: ownMessageId(parsed.messageId) ?? contentMessageId(raw),
      referencedIds: referencedMessageIds(parsed.inReplyTo, parsed.references),
      from: { address, ...(name ? { name } : {}) },
      cc: otherRecipients(parsed, [address, inboxAddress.toLowerCase()]),
      ...(subject ? { subject } : {}),
      text: text.slice(0, MAX_TEXT),
      ...(html ? { html } : {}),
      ...(parsed.date && !Number.isNaN(parsed.date.getTime()) ? { sentAt: parsed.date.toISOString() } : {}),
      attachments: parsed.attachments,
    },
  };
}

/** The To and Cc addresses (groups flattened) other than `exclude`, lower-case, once each, at most MAX_EMAIL_CC. */
function otherRecipients(parsed: ParsedMail, exclude: string[]): string[] {
  const lists = [parsed.to, parsed.cc].flatMap((field) =>
    Array.isArray(field) ? field : field ? [field] : [],
  );
  const addresses = lists
    .flatMap((list: AddressObject) => list.value)
    .flatMap((a) => (a.group ? a.group : [a]))
    .map((a) => a.address?.trim().toLowerCase() ?? '')
    .filter((a) => a.length > 0 && a.length <= 254 && a.includes('@') && !exclude.includes(a));
  return [...new Set(addresses)].slice(0, MAX_EMAIL_CC);
}

/** A header as written (unfolded), by its lower-case name. */
function rawHeader(parsed: ParsedMail, key: string): string | undefined {
  const line = parsed.headerLines.find((h) => h.key === key)?.line;
  return line
    ?.slice(line.indexOf(':') + 1)
    .replace(/\r?\n\s+/g, ' ')
    .trim();
}

/** RFC 3834 marks (Auto-Submitted), the older Precedence and X-Autoreply conventions, and bounces (null sender). */
function automaticMailReason(parsed: ParsedMail): string | undefined {
  const autoSubmitted = rawHeader(parsed, 'auto-submitted')?.split(';')[0]?.trim().toLowerCase();
  if (autoSubmitted && autoSubmitted !== 'no')
    return `it is automatic mail (Auto-Submitted: ${autoSubmitted})`;
  const precedence = rawHeader(parsed, 'precedence')?.toLowerCase();
  if (precedence === 'auto_reply' || precedence === 'junk') {
    return `it is automatic mail (Precedence: ${precedence})`;
  }
  if (rawHeader(parsed, 'x-autoreply') || rawHeader(parsed, 'x-autorespond')) {
    return 'it is an automatic reply (X-Autoreply)';
  }
  if (rawHeader(parsed, 'return-path')?.replace(/\s/g, '') === '<>')
    return 'it is a bounce (empty Return-Path)';
  return undefined;
}

/**
 * mailparser only turns HTML into text when the HTML is the whole message; HTML next to attachments (or inline
 * images) comes without text. Parsing it again as an HTML-only message gets the same conversion.
 */
async function textOfHtml(html: string): Promise<string> {
  const parsed = await simpleParser(`Content-Type: text/html; charset=utf-8\r\n\r\n${html}`, {
    skipTextToHtml: true,
  });
  return parsed.text ?? '';
}
