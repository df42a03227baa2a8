import { Injectable, Logger } from '@nestjs/common';
import { EmailMailboxPoller } from './email-mailbox.poller.js';
import type { OpenMailbox } from './imap-session.js';

/** After a lost or refused connection, the next try waits this long, doubling up to MAX_RETRY_MS. */
const FIRST_RETRY_MS = 5_000;
const MAX_RETRY_MS = 5 * 60_000;

/** One inbox's IDLE connection, as the scheduler holds it. */
export interface MailboxWatch {
  /** True while the folder is open and the server may tell us about new mail. */
  readonly open: boolean;
  /** Closes the connection and stops reconnecting; resolves once it is closed. */
  stop(): Promise<void>;
}

/**
 * Keeps one IMAP connection per email inbox in IDLE on its folder (read-only), so the server says when new mail
 * arrives and the poller fetches it at once instead of at the next interval. It only signals: the poll (with its
 * lock and cursor) stays the one way mail is stored, and polling on the interval goes on as the safety net for a
 * server without IDLE, a dropped connection or a lost notice. A connection that ends or cannot be made is tried
 * again after 5 s, doubling up to 5 minutes; the settings (host, login, folder) are read fresh at each try.
 */
@Injectable()
export class EmailIdleWatcher {
  private readonly logger = new Logger('EmailIdleWatcher');

  constructor(private readonly poller: EmailMailboxPoller) {}

  /** Starts watching `channelId`; `onNewMail` runs each time the folder's message count grows. */
  watch(channelId: string, onNewMail: () => void): MailboxWatch {
    let stopped = false;
    let session: OpenMailbox | undefined;
    let wake: (() => void) | undefined;
    const loop = async () => {
      let failures = 0;
      while (!stopped) {
        try {
          // Deleted or disabled meanwhile: tried again later, unless the scheduler stops it at its next rescan.
          session = await this.poller.openForIdle(channelId);
          if (stopped) {
            await session.close();
            break;
          }
          failures = 0;
          const { client } = session;
          client.on('exists', (e: { count: number; prevCount: number }) => {
            if (e.count > e.prevCount) onNewMail();
          });
          await new Promise<void>((resolve) => {
            client.once('close', () => resolve());
            wake = resolve;
          });
        } catch (err) {
          failures++;
          // The poller records and logs the same server errors; here the first of a run is enough.
          if (failures === 1) {
            this.logger.warn(`inbox ${channelId}: IDLE not possible, retrying: ${(err as Error).message}`);
          }
        }
        session = undefined;
        if (stopped) break;
        const delay = Math.min(FIRST_RETRY_MS * 2 ** Math.max(failures - 1, 0), MAX_RETRY_MS);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, delay);
          timer.unref();
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
    };
    const running = loop().catch((err: Error) =>
      this.logger.error({ err }, `inbox ${channelId}: IDLE watcher stopped: ${err.message}`),
    );
    return {
      get open() {
        return session !== undefined && session.client.usable;
      },
      async stop() {
        stopped = true;
        wake?.();
        await session?.close();
        await running;
      },
    };
  }
}
