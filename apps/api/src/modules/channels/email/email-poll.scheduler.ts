import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../../config/app-config.js';
import { ChannelsRepository, type ChannelRow } from '../channels.repository.js';
import { EmailIdleWatcher, type MailboxWatch } from './email-idle.watcher.js';
import { EmailMailboxPoller } from './email-mailbox.poller.js';

/** How often the list of email inboxes is read again: new, changed, disabled and deleted inboxes. */
const RESCAN_MS = 30_000;
/** First polls after a worker start are spread over this long, so hundreds of inboxes do not log in at once. */
const START_SPREAD_MS = 5_000;
/** A mailbox that keeps failing is tried less and less often, down to once in this long. */
const MAX_BACKOFF_MS = 30 * 60_000;
/** A poll that left messages for later continues after this pause instead of a whole interval. */
const BACKLOG_DELAY_MS = 1_000;

interface Mailbox {
  intervalMs: number;
  failures: number;
  timer?: NodeJS.Timeout;
  running?: Promise<void>;
  /** The IDLE connection (EMAIL_IDLE), and the settings it was opened with: changed settings reopen it. */
  watch?: MailboxWatch;
  watchedSettings?: string;
  /** New mail was announced while a poll ran: poll again right after it. */
  again?: boolean;
}

/**
 * Runs in the worker: polls every active email inbox on its own interval (config.pollIntervalSeconds, else
 * EMAIL_POLL_INTERVAL_SECONDS), and at once when the inbox's IDLE connection (EMAIL_IDLE) announces new mail.
 * A mailbox is polled again only after its previous poll ended, and the poller's Redis lock keeps two worker
 * replicas off the same mailbox. A failed poll (server down, password changed) is logged and retried with a
 * growing delay; nothing here ever throws into the process.
 */
@Injectable()
export class EmailPollScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('EmailPollScheduler');
  private readonly mailboxes = new Map<string, Mailbox>();
  private rescanTimer?: NodeJS.Timeout;
  private scanning?: Promise<void>;
  private stopped = false;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly channels: ChannelsRepository,
    private readonly poller: EmailMailboxPoller,
    private readonly idle: EmailIdleWatcher,
  ) {}

  /** Whether `channelId`'s IDLE connection has its folder open (new mail is announced as it arrives). */
  watching(channelId: string): boolean {
    return this.mailboxes.get(channelId)?.watch?.open ?? false;
  }

  onApplicationBootstrap(): void {
    this.scanning = this.rescan();
    this.rescanTimer = setInterval(() => {
      this.scanning = this.rescan();
    }, RESCAN_MS);
  }

  /** Stops scheduling and waits for the polls in progress, so no message is left half stored. */
  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearInterval(this.rescanTimer);
    for (const mailbox of this.mailboxes.values()) clearTimeout(mailbox.timer);
    const mailboxes = [...this.mailboxes.values()];
    await Promise.allSettled([
      this.scanning,
      ...mailboxes.map((m) => m.running),
      ...mailboxes.map((m) => m.watch?.stop()),
    ]);
    this.mailboxes.clear();
  }

  private async rescan(): Promise<void> {
    let rows: ChannelRow[];
    try {
      rows = await this.channels.unsafeListActiveByType('email');
    } catch (err) {
      this.logger.warn(`could not list the email inboxes: ${(err as Error).message}`);
      return;
    }
    if (this.stopped) return;
    const active = new Set(rows.map((r) => r.id));
    for (const [id, mailbox] of this.mailboxes) {
      if (active.has(id)) continue;
      clearTimeout(mailbox.timer);
      void mailbox.watch?.stop();
      this.mailboxes.delete(id);
    }
    for (const row of rows) {
      const intervalMs = this.intervalOf(row);
      let mailbox = this.mailboxes.get(row.id);
      if (mailbox) {
        mailbox.intervalMs = intervalMs;
      } else {
        mailbox = { intervalMs, failures: 0 };
        this.mailboxes.set(row.id, mailbox);
        this.schedule(row.id, mailbox, Math.random() * Math.min(intervalMs, START_SPREAD_MS));
      }
      if (this.config.EMAIL_IDLE) this.watch(row, mailbox);
    }
  }

  /** Opens the IDLE connection, or reopens it when the inbox's settings changed (another host, login, folder). */
  private watch(row: ChannelRow, mailbox: Mailbox): void {
    const settings = JSON.stringify([row.config, row.credentials]);
    if (mailbox.watch && mailbox.watchedSettings === settings) return;
    void mailbox.watch?.stop();
    mailbox.watchedSettings = settings;
    mailbox.watch = this.idle.watch(row.id, () => this.pollNow(row.id, mailbox));
  }

  /** New mail was announced: poll now, or right after the poll in progress. */
  private pollNow(id: string, mailbox: Mailbox): void {
    if (this.stopped || this.mailboxes.get(id) !== mailbox) return;
    if (mailbox.running) {
      mailbox.again = true;
      return;
    }
    clearTimeout(mailbox.timer);
    this.schedule(id, mailbox, 0);
  }

  private intervalOf(row: ChannelRow): number {
    const own = row.config.pollIntervalSeconds;
    return (typeof own === 'number' && own > 0 ? own : this.config.EMAIL_POLL_INTERVAL_SECONDS) * 1000;
  }

  private schedule(id: string, mailbox: Mailbox, delayMs: number): void {
    mailbox.timer = setTimeout(() => {
      mailbox.running = this.tick(id, mailbox);
    }, delayMs);
  }

  private async tick(id: string, mailbox: Mailbox): Promise<void> {
    let delayMs = mailbox.intervalMs;
    try {
      const outcome = await this.poller.poll(id);
      mailbox.failures = 0;
      if (outcome.status === 'polled' && outcome.more) delayMs = BACKLOG_DELAY_MS;
    } catch (err) {
      mailbox.failures++;
      const factor = 2 ** Math.min(mailbox.failures - 1, 10);
      delayMs = Math.min(mailbox.intervalMs * factor, Math.max(MAX_BACKOFF_MS, mailbox.intervalMs));
      this.logger.warn(
        `inbox ${id}: poll failed ${mailbox.failures} time(s) in a row, next try in ${Math.round(delayMs / 1000)} s: ` +
          (err as Error).message,
      );
    }
    mailbox.running = undefined;
    if (mailbox.again && mailbox.failures === 0) delayMs = 0;
    mailbox.again = false;
    // Deleted or disabled meanwhile (rescan dropped it), or the worker is stopping: no next poll.
    if (!this.stopped && this.mailboxes.get(id) === mailbox) this.schedule(id, mailbox, delayMs);
  }
}
