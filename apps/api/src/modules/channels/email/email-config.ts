import { ZEmailChannelConfig } from '@orbitdesk/shared';
import type { z } from 'zod';
import type { ChannelSecrets } from '../channel-credentials.service.js';
import type { ChannelRow } from '../channels.repository.js';

export type EmailInboxConfig = z.infer<typeof ZEmailChannelConfig>;
export type MailServerConfig = EmailInboxConfig['smtp'];

/** One email inbox as the poller and the adapter use it: its settings and both passwords. */
export interface EmailInbox {
  config: EmailInboxConfig;
  imapPassword: string;
  smtpPassword: string;
}

/**
 * The stored config was validated when it was saved; it is parsed again here because the poller reads rows
 * outside any request, and a row edited by hand must fail with a plain message rather than deep inside IMAP.
 */
/** Whether mail should be fetched for this inbox now: it exists, is email, is enabled, and so is its workspace. */
export function isActiveEmailInbox<R extends ChannelRow & { tenantStatus: string }>(
  row: R | undefined,
): row is R {
  return row !== undefined && row.type === 'email' && row.isActive && row.tenantStatus === 'ACTIVE';
}

export function emailInboxOf(row: ChannelRow, secrets: ChannelSecrets): EmailInbox {
  const parsed = ZEmailChannelConfig.safeParse(row.config);
  if (!parsed.success) throw new Error(`The email inbox's settings are invalid: ${parsed.error.message}`);
  const { imapPassword, smtpPassword } = secrets;
  if (!imapPassword || !smtpPassword) throw new Error('The email inbox has no IMAP or SMTP password');
  return { config: parsed.data, imapPassword, smtpPassword };
}

/** The part after the @, lower-cased: where generated Message-IDs live (`<id@acme.test>`). */
export const domainOf = (address: string) => address.slice(address.lastIndexOf('@') + 1).toLowerCase();

/**
 * One IMAP folder of one account on one server: the inbox's external id (a folder is read by one inbox only, or
 * its mail would be imported twice) and the owner of a stored UID cursor (UIDs mean nothing in another folder,
 * so a cursor saved before the admin changed host, user or folder is not reused).
 */
export const mailboxKey = ({ imap }: EmailInboxConfig) =>
  `${imap.username.toLowerCase()}@${imap.host.toLowerCase()}/${imap.mailbox}`;
