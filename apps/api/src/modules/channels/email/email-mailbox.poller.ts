import { Inject, Injectable, Logger } from '@nestjs/common';
import { defaultAddressPolicy, type AddressPolicy } from '../../../common/http-client/ip-policy.js';
import { requestContext } from '../../../common/tenancy/request-context.js';
import { TenantDb } from '../../../common/tenancy/tenant-db.service.js';
import { APP_CONFIG, type AppConfig } from '../../../config/app-config.js';
import { ChannelCredentialsService } from '../channel-credentials.service.js';
import { ChannelsRepository, type ChannelRow } from '../channels.repository.js';
import { emailInboxOf, isActiveEmailInbox, mailboxKey, type EmailInbox } from './email-config.js';
import { EmailInboundService, type ImportOutcome } from './email-inbound.service.js';
import { EmailPollLock } from './email-poll-lock.js';
import { cursorOf, pollErrorOf, type ImapCursor } from './email-poll-state.js';
import { lastUidOf, MAX_MESSAGE_BYTES, openMailbox, type OpenMailbox } from './imap-session.js';

/** Messages fetched per poll; the rest follow on the next polls, so one poll stays short. */
const BATCH = 100;

export type PollOutcome =
  /** Another poll of this mailbox (in this or another worker) holds the lock. */
  | { status: 'busy' }
  /** Deleted, disabled, or its workspace is not active: nothing was fetched. */
  | { status: 'inactive' }
  | { status: 'polled'; stored: number; duplicates: number; skipped: number; more: boolean };

type Counts = Record<ImportOutcome, number>;

/**
 * One poll of one email inbox: fetch the UIDs above the stored cursor, store each message, move the cursor past
 * it. The cursor is written after the message is stored, so a crash in between fetches that message again and
 * the Message-ID check stores it once. A changed UIDVALIDITY (the server renumbered the folder) or another
 * mailbox in the settings starts over from the folder's current end instead of importing it all again.
 */
@Injectable()
export class EmailMailboxPoller {
  private readonly logger = new Logger('EmailPoller');
  private readonly policy: AddressPolicy;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly channels: ChannelsRepository,
    private readonly credentials: ChannelCredentialsService,
    private readonly tenantDb: TenantDb,
    private readonly inbound: EmailInboundService,
    private readonly lock: EmailPollLock,
  ) {
    this.policy = defaultAddressPolicy(config.OUTBOUND_ALLOW_PRIVATE_NETWORKS);
  }

  /** Throws when the server cannot be reached or refuses the login (the reason is also kept on the inbox). */
  async poll(channelId: string): Promise<PollOutcome> {
    const release = await this.lock.acquire(channelId);
    if (!release) return { status: 'busy' };
    try {
      // Read fresh each time: a changed password, folder or interval applies from the next poll on.
      const channel = await this.channels.unsafeFindForInbound(channelId);
      if (!isActiveEmailInbox(channel)) {
        return { status: 'inactive' };
      }
      return await requestContext.run(
        { tenantId: channel.tenantId, requestId: `email-poll:${channelId}` },
        () => this.pollInTenant(channel),
      );
    } finally {
      // A lock that cannot be released expires on its own.
      await release().catch(() => undefined);
    }
  }

  /**
   * The inbox's folder opened for IDLE (EmailIdleWatcher), with the settings as they are now. Throws when the
   * inbox is not an active email inbox or the server cannot be reached or refuses the login.
   */
  async openForIdle(channelId: string): Promise<OpenMailbox> {
    const channel = await this.channels.unsafeFindForInbound(channelId);
    if (!isActiveEmailInbox(channel)) throw new Error('not an active email inbox');
    return openMailbox(emailInboxOf(channel, this.credentials.open(channel)), this.policy, { idle: true });
  }

  private async pollInTenant(channel: ChannelRow): Promise<PollOutcome> {
    const hadError = pollErrorOf(channel.state) !== undefined;
    try {
      const outcome = await this.fetchNew(channel, emailInboxOf(channel, this.credentials.open(channel)));
      if (hadError) await this.saveState(channel.id, { pollError: null });
      return outcome;
    } catch (err) {
      const message = (err as Error).message;
      await this.saveState(channel.id, { pollError: { message, at: new Date().toISOString() } }).catch(
        (saveErr: Error) =>
          this.logger.warn(`inbox ${channel.id}: could not record the poll error: ${saveErr.message}`),
      );
      throw err;
    }
  }

  private async fetchNew(channel: ChannelRow, inbox: EmailInbox): Promise<PollOutcome> {
    const session = await openMailbox(inbox, this.policy);
    try {
      const here: Omit<ImapCursor, 'lastUid'> = {
        mailbox: mailboxKey(inbox.config),
        uidValidity: String(session.mailbox.uidValidity),
      };
      const uids = await this.newUids(channel, session, here);
      const batch = uids.slice(0, BATCH);
      const counts = await this.importAll(channel, inbox, session, here, batch);
      return {
        status: 'polled',
        stored: counts.stored,
        duplicates: counts.duplicate,
        skipped: counts.skipped,
        more: uids.length > batch.length,
      };
    } finally {
      await session.close();
    }
  }

  /**
   * The UIDs above the stored cursor. Without a cursor for this mailbox and UIDVALIDITY (the server renumbered
   * the folder, another mailbox is configured, or the cursor was lost) nothing old is imported: the cursor
   * moves to the folder's current end.
   */
  private async newUids(channel: ChannelRow, session: OpenMailbox, here: Omit<ImapCursor, 'lastUid'>) {
    const saved = cursorOf(channel.state);
    if (saved && saved.mailbox === here.mailbox && saved.uidValidity === here.uidValidity) {
      return this.above(session, saved.lastUid);
    }
    const lastUid = await lastUidOf(session);
    const why = !saved
      ? 'no cursor'
      : saved.mailbox === here.mailbox
        ? 'UIDVALIDITY changed'
        : 'another mailbox is configured';
    this.logger.warn(`inbox ${channel.id}: ${why}; continuing with new mail after UID ${lastUid}`);
    await this.saveCursor(channel.id, { ...here, lastUid });
    return [];
  }

  /** In UID order; the cursor moves past each message once it is stored (or deliberately skipped). */
  private async importAll(
    channel: ChannelRow,
    inbox: EmailInbox,
    { client }: OpenMailbox,
    here: Omit<ImapCursor, 'lastUid'>,
    uids: number[],
  ): Promise<Counts> {
    const counts: Counts = { stored: 0, duplicate: 0, skipped: 0 };
    if (!uids.length) return counts;
    const sizes = new Map(
      (await client.fetchAll(uids.join(','), { uid: true, size: true }, { uid: true })).map((m) => [
        m.uid,
        m.size,
      ]),
    );
    for (const uid of uids) {
      const where = `inbox ${channel.id} UID ${uid}`;
      const size = sizes.get(uid);
      let outcome: ImportOutcome = 'skipped';
      if (size !== undefined && size > MAX_MESSAGE_BYTES) {
        this.logger.warn(`${where} skipped: ${size} bytes is over the ${MAX_MESSAGE_BYTES}-byte limit`);
      } else {
        const message = await client.fetchOne(String(uid), { uid: true, source: true }, { uid: true });
        // Expunged since the search: nothing to store.
        if (message && message.source)
          outcome = await this.inbound.import(channel, inbox, message.source, where);
      }
      counts[outcome]++;
      await this.saveCursor(channel.id, { ...here, lastUid: uid });
    }
    return counts;
  }

  /** UIDs above `lastUid`, ascending. (`n:*` always names the last message, even below n: filtered out.) */
  private async above({ client, mailbox }: OpenMailbox, lastUid: number): Promise<number[]> {
    if (mailbox.uidNext && mailbox.uidNext <= lastUid + 1) return [];
    const found = (await client.search({ uid: `${lastUid + 1}:*` }, { uid: true })) || [];
    return found.filter((uid) => uid > lastUid).sort((a, b) => a - b);
  }

  private saveCursor(channelId: string, cursor: ImapCursor): Promise<void> {
    return this.saveState(channelId, { imap: cursor });
  }

  private saveState(channelId: string, patch: Record<string, unknown>): Promise<void> {
    return this.tenantDb.run((tx) => this.channels.mergeState(tx, channelId, patch));
  }
}
