import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { ZEmailChannelConfig, type TChannelTestResult } from '@orbitdesk/shared';
import type { NodemailerError } from 'nodemailer';
import { defaultAddressPolicy, type AddressPolicy } from '../../../common/http-client/ip-policy.js';
import { unprocessable } from '../../../common/http/errors.js';
import { APP_CONFIG, type AppConfig } from '../../../config/app-config.js';
import {
  ChannelTypeRegistry,
  type ChannelTypeContext,
  type ChannelTypeHandler,
  type ConnectOutcome,
} from '../channel-type.js';
import { emailInboxOf, mailboxKey, type EmailInbox } from './email-config.js';
import { cursorOf, pollErrorOf } from './email-poll-state.js';
import { lastUidOf, openMailbox, type OpenMailbox } from './imap-session.js';
import { describeSmtpError, SmtpError, smtpTransport } from './smtp-transport.js';

interface Check {
  ok: boolean;
  message: string;
}

/**
 * Email inboxes: nothing to register anywhere (the worker polls the mailbox over IMAP), so there is no webhook
 * URL. An inbox owns its IMAP folder (its external id), and only someone who can log in to it may connect it:
 * connect() logs in and refuses the inbox otherwise. The test logs in on both servers and says which one failed.
 */
@Injectable()
export class EmailChannelType implements ChannelTypeHandler, OnModuleInit {
  readonly type = 'email' as const;
  private readonly policy: AddressPolicy;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly registry: ChannelTypeRegistry,
  ) {
    this.policy = defaultAddressPolicy(config.OUTBOUND_ALLOW_PRIVATE_NETWORKS);
  }

  onModuleInit(): void {
    this.registry.register(this);
  }

  externalId(config: Record<string, unknown>): string | undefined {
    const parsed = ZEmailChannelConfig.safeParse(config);
    return parsed.success ? mailboxKey(parsed.data) : undefined;
  }

  webhookUrl(): null {
    return null;
  }

  /**
   * Proves the IMAP login (a refusal undoes a new inbox) and starts the UID cursor at the folder's end, so the
   * inbox imports what arrives from now on and not the mailbox's past. A cursor that is still valid (the same
   * folder, not renumbered) is kept: changing a password or re-enabling the inbox loses no mail.
   */
  async connect({ row, secrets }: ChannelTypeContext): Promise<ConnectOutcome | void> {
    let session: OpenMailbox;
    let inbox: EmailInbox;
    try {
      inbox = emailInboxOf(row, secrets);
      session = await openMailbox(inbox, this.policy);
    } catch (err) {
      throw unprocessable((err as Error).message);
    }
    try {
      const here = { mailbox: mailboxKey(inbox.config), uidValidity: String(session.mailbox.uidValidity) };
      const saved = cursorOf(row.state);
      if (saved?.mailbox === here.mailbox && saved.uidValidity === here.uidValidity) return;
      return { state: { imap: { ...here, lastUid: await lastUidOf(session) } } };
    } finally {
      await session.close();
    }
  }

  /** How often the mailbox is read, and why the last poll failed (until one succeeds). */
  details({ row }: ChannelTypeContext): Record<string, unknown> {
    const own = row.config.pollIntervalSeconds;
    return {
      pollIntervalSeconds: typeof own === 'number' ? own : this.config.EMAIL_POLL_INTERVAL_SECONDS,
      lastPollError: pollErrorOf(row.state) ?? null,
    };
  }

  async test({ row, secrets }: ChannelTypeContext): Promise<TChannelTestResult> {
    let inbox: EmailInbox;
    try {
      inbox = emailInboxOf(row, secrets);
    } catch (err) {
      return { ok: false, message: (err as Error).message };
    }
    const [imap, smtp] = await Promise.all([this.checkImap(inbox), this.checkSmtp(inbox)]);
    if (imap.ok && smtp.ok) return { ok: true, message: `Connected: ${imap.message} and ${smtp.message}` };
    return {
      ok: false,
      message: [imap, smtp]
        .filter((c) => !c.ok)
        .map((c) => c.message)
        .join('; '),
      details: { imap: imap.message, smtp: smtp.message },
    };
  }

  private async checkImap(inbox: EmailInbox): Promise<Check> {
    const { imap } = inbox.config;
    try {
      const session = await openMailbox(inbox, this.policy);
      const count = session.mailbox.exists;
      await session.close();
      return { ok: true, message: `IMAP ${imap.username}@${imap.host} (${imap.mailbox}: ${count} messages)` };
    } catch (err) {
      return { ok: false, message: (err as Error).message };
    }
  }

  private async checkSmtp(inbox: EmailInbox): Promise<Check> {
    const { smtp } = inbox.config;
    try {
      const transport = await smtpTransport(inbox, this.policy);
      try {
        await transport.verify();
      } finally {
        transport.close();
      }
      return { ok: true, message: `SMTP ${smtp.username}@${smtp.host}:${smtp.port}` };
    } catch (err) {
      const failure = err instanceof SmtpError ? err : describeSmtpError(inbox, err as NodemailerError);
      return { ok: false, message: failure.message };
    }
  }
}
