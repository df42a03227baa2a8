import { ImapFlow, type ImapFlowError, type MailboxObject } from 'imapflow';
import { isIP } from 'node:net';
import type { AddressPolicy } from '../../../common/http-client/ip-policy.js';
import type { EmailInbox } from './email-config.js';
import { MailHostBlockedError, resolveMailHost } from './mail-host.js';

/** Larger messages are not fetched at all (the poller skips them): the whole source is held in memory. */
export const MAX_MESSAGE_BYTES = 40 * 1024 * 1024;

/** What went wrong with the IMAP server, in words an admin can act on (shown by /test and in the inbox). */
export class ImapError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ImapError';
  }
}

export interface OpenMailbox {
  client: ImapFlow;
  mailbox: MailboxObject;
  close(): Promise<void>;
}

/**
 * Logs in and opens the inbox's folder read-only (EXAMINE): polling never changes flags or deletes anything,
 * so the mailbox looks the same in the customer's own mail client. Every failure becomes an ImapError that says
 * which step failed. With `idle`, the connection goes into IDLE as soon as the folder is open and stays there
 * (re-issued every few minutes, as RFC 2177 asks), reporting new mail as `exists` events.
 */
export async function openMailbox(
  inbox: EmailInbox,
  policy: AddressPolicy,
  { idle = false }: { idle?: boolean } = {},
): Promise<OpenMailbox> {
  const { imap } = inbox.config;
  let client: ImapFlow | undefined;
  try {
    const address = await resolveMailHost(imap.host, policy);
    client = new ImapFlow({
      host: address,
      ...(isIP(imap.host) ? {} : { servername: imap.host }),
      port: imap.port,
      secure: imap.secure,
      auth: { user: imap.username, pass: inbox.imapPassword },
      logger: false,
      disableAutoIdle: !idle,
      ...(idle ? { autoIdleDelay: 100, maxIdleTime: 5 * 60_000 } : {}),
      connectionTimeout: 15_000,
      greetingTimeout: 15_000,
      socketTimeout: 120_000,
      // The server is the tenant's to choose: bound what a broken or hostile one can make us buffer.
      maxLineLength: 1024 * 1024,
      maxLiteralSize: MAX_MESSAGE_BYTES,
      maxResponseSize: MAX_MESSAGE_BYTES + 1024 * 1024,
    });
    // Errors also reject the command in progress; without a listener an 'error' event would end the process.
    client.on('error', () => undefined);
    await client.connect();
  } catch (err) {
    client?.close();
    throw new ImapError(describeConnectError(inbox, err as ImapFlowError));
  }
  try {
    const mailbox = await client.mailboxOpen(imap.mailbox, { readOnly: true });
    return { client, mailbox, close: () => closeQuietly(client) };
  } catch (err) {
    await closeQuietly(client);
    throw new ImapError(
      `IMAP folder ${imap.mailbox} could not be opened on ${imap.host}: ${serverText(err as ImapFlowError)}`,
    );
  }
}

/** The folder's highest UID now: where a cursor starts, so that only mail arriving later is imported. */
export async function lastUidOf({ client, mailbox }: OpenMailbox): Promise<number> {
  if (mailbox.uidNext) return mailbox.uidNext - 1;
  const all = (await client.search({ all: true }, { uid: true })) || [];
  return all.reduce((max, uid) => Math.max(max, uid), 0);
}

async function closeQuietly(client: ImapFlow): Promise<void> {
  try {
    await client.logout();
  } catch {
    client.close();
  }
}

function describeConnectError(inbox: EmailInbox, err: ImapFlowError): string {
  const { imap } = inbox.config;
  if (err instanceof MailHostBlockedError) return `IMAP server ${imap.host} is not allowed: ${err.reason}`;
  if (err.authenticationFailed) {
    return `IMAP login failed for ${imap.username}@${imap.host}: ${serverText(err)}`;
  }
  return `Could not reach IMAP server ${imap.host}:${imap.port}: ${err.message}`;
}

/** The server's own words (`[AUTHENTICATIONFAILED] Authentication failed.`) when it gave any. */
function serverText(err: ImapFlowError): string {
  const tagged = typeof err.response === 'string' ? err.response.replace(/^\S+\s+(?:NO|BAD)\s+/i, '') : '';
  const said = err.responseText || tagged || err.message;
  const code = err.serverResponseCode;
  return code && !said.includes(code) ? `[${code}] ${said}` : said;
}
