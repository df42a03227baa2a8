import { randomBytes } from 'node:crypto';

export interface RawMailInput {
  from: string;
  to?: string;
  subject?: string;
  /** `<id@host>`; a random one when absent, none at all when null. */
  messageId?: string | null;
  inReplyTo?: string;
  references?: string[];
  text?: string;
  html?: string;
  attachments?: { filename: string; contentType: string; content: Buffer }[];
  /** Extra header lines, written as given (`Auto-Submitted`, `Return-Path`, ...). */
  headers?: Record<string, string>;
  date?: Date;
}

export const newMessageId = (host = 'customer.test') => `<${randomBytes(8).toString('hex')}@${host}>`;

const base64Lines = (data: Buffer) => data.toString('base64').replace(/.{1,76}/g, '$&\r\n');

/**
 * An RFC 5322 message as a mail client writes it: text and HTML as multipart/alternative, files as base64
 * parts of multipart/mixed. Used to fill the test Dovecot's mailboxes.
 */
export function rawMail(input: RawMailInput): string {
  const boundary = (tag: string) => `=_${tag}_${randomBytes(6).toString('hex')}`;
  const headers = [
    `From: ${input.from}`,
    `To: ${input.to ?? 'support@acme.test'}`,
    `Subject: ${input.subject ?? 'Hello'}`,
    `Date: ${(input.date ?? new Date()).toUTCString()}`,
    ...(input.messageId === null ? [] : [`Message-ID: ${input.messageId ?? newMessageId()}`]),
    ...(input.inReplyTo ? [`In-Reply-To: ${input.inReplyTo}`] : []),
    ...(input.references?.length ? [`References: ${input.references.join(' ')}`] : []),
    ...Object.entries(input.headers ?? {}).map(([k, v]) => `${k}: ${v}`),
    'MIME-Version: 1.0',
  ];
  const textPart = (type: string, body: string) =>
    `Content-Type: ${type}; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n${base64Lines(Buffer.from(body))}`;

  let body: string;
  if (input.text !== undefined && input.html !== undefined) {
    const alt = boundary('alt');
    body =
      `Content-Type: multipart/alternative; boundary="${alt}"\r\n\r\n` +
      `--${alt}\r\n${textPart('text/plain', input.text)}--${alt}\r\n${textPart('text/html', input.html)}--${alt}--\r\n`;
  } else if (input.html !== undefined) {
    body = textPart('text/html', input.html);
  } else {
    body = textPart('text/plain', input.text ?? '');
  }
  if (input.attachments?.length) {
    const mixed = boundary('mixed');
    const files = input.attachments
      .map(
        (a) =>
          `--${mixed}\r\nContent-Type: ${a.contentType}; name="${a.filename}"\r\n` +
          `Content-Disposition: attachment; filename="${a.filename}"\r\nContent-Transfer-Encoding: base64\r\n\r\n` +
          base64Lines(a.content),
      )
      .join('');
    body = `Content-Type: multipart/mixed; boundary="${mixed}"\r\n\r\n--${mixed}\r\n${body}${files}--${mixed}--\r\n`;
  }
  // The body's own Content-Type header joins the message headers.
  return `${headers.join('\r\n')}\r\n${body}`;
}
