import { Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { RedisLeases } from '../../../common/redis/redis-lease.js';
import { RedisService } from '../../../common/redis/redis.module.js';
import { EmailMailboxPoller } from './email-mailbox.poller.js';
import type { OpenMailbox } from './imap-session.js';

/** One inbox's IDLE connection, as the scheduler holds it. */
export interface MailboxWatch {
  /** True while the folder is open here and the server may tell us about new mail. */
  readonly open: boolean;
  /** Closes the connection and stops reconnecting; resolves once it is closed. */
  stop(): Promise<void>;
}

/** The watcher's clock; tests shorten it. */
export interface IdleTiming {
  /** After a lost or refused connection, the next try waits this long, doubling up to maxRetryMs. */
  firstRetryMs: number;
  maxRetryMs: number;
  /** How long the lease on an inbox's connection lasts unless renewed (renewed at a third of it). */
  leaseTtlMs: number;
  /** How often a replica whose inbox is watched by another one asks again (so it takes over a crashed one's). */
  leaseRetryMs: number;
}

const DEFAULT_TIMING: IdleTiming = {
  firstRetryMs: 5_000,
  maxRetryMs: 5 * 60_000,
  leaseTtlMs: 60_000,
  leaseRetryMs: 20_000,
};

/**
 * Keeps one IMAP connection per email inbox in IDLE on its folder (read-only), so the server says when new mail
 * arrives and the poller fetches it at once instead of at the next interval. It only signals: the poll (with its
 * lock and cursor) stays the one way mail is stored, and polling on the interval goes on as the safety net for a
 * server without IDLE, a dropped connection or a lost notice. A connection that ends or cannot be made is tried
 * again after 5 s, doubling up to 5 minutes; the settings (host, login, folder) are read fresh at each try.
 *
 * One connection per inbox across every worker replica (providers limit an account's connections: Gmail allows
 * 15): it is opened only by the replica holding the inbox's lease in Redis, renewed while the connection lives and
 * released when it ends. The others ask again every 20 s, so a crashed holder's inbox is watched again within
 * about a minute and a half; its lease lapses after 60 s.
 */
@Injectable()
export class EmailIdleWatcher {
  private readonly logger = new Logger('EmailIdleWatcher');
  timing: IdleTiming = { ...DEFAULT_TIMING };
  private readonly owner = randomUUID();

  constructor(
    private readonly poller: EmailMailboxPoller,
    private readonly redis: RedisService,
  ) {}

  /** Starts watching `channelId`; `onNewMail` runs each time the folder's message count grows. */
  watch(channelId: string, onNewMail: () => void): MailboxWatch {
    const timing = this.timing;
    const leases = new RedisLeases(() => this.redis.client, this.owner, timing.leaseTtlMs);
    const key = `email-idle:${channelId}`;
    let stopped = false;
    let session: OpenMailbox | undefined;
    let wake: (() => void) | undefined;
    const pause = (ms: number) =>
      new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, ms);
        timer.unref();
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    const loop = async () => {
      let failures = 0;
      let redisDown = false;
      while (!stopped) {
        let held = false;
        try {
          held = await leases.acquire(key);
          redisDown = false;
        } catch (err) {
          // Once per outage, not every retry.
          if (!redisDown) {
            this.logger.warn(
              `inbox ${channelId}: IDLE lease not readable, retrying: ${(err as Error).message}`,
            );
          }
          redisDown = true;
        }
        if (stopped) break;
        if (!held) {
          // Another replica watches this inbox (or Redis did not answer): ask again later.
          await pause(timing.leaseRetryMs);
          continue;
        }
        let renewal: NodeJS.Timeout | undefined;
        try {
          // Deleted or disabled meanwhile: tried again later, unless the scheduler stops it at its next rescan.
          session = await this.poller.openForIdle(channelId);
          if (stopped) {
            await session.close();
            break;
          }
          failures = 0;
          const open = session;
          open.client.on('exists', (e: { count: number; prevCount: number }) => {
            if (e.count > e.prevCount) onNewMail();
          });
          // Renewed while the connection lives; a lease lost (Redis flushed, a long stall) ends the connection
          // here, since another replica may open its own.
          renewal = setInterval(() => {
            leases.refresh(key).then(
              (still) => {
                if (!still && !stopped) {
                  this.logger.warn(`inbox ${channelId}: IDLE lease lost, closing this connection`);
                  void open.close();
                }
              },
              () => undefined, // Redis briefly away: the next renewal tries again before the lease lapses
            );
          }, timing.leaseTtlMs / 3);
          renewal.unref();
          await new Promise<void>((resolve) => {
            open.client.once('close', () => resolve());
            wake = resolve;
          });
        } catch (err) {
          failures++;
          // The poller records and logs the same server errors; here the first of a run is enough.
          if (failures === 1) {
            this.logger.warn(`inbox ${channelId}: IDLE not possible, retrying: ${(err as Error).message}`);
          }
        } finally {
          clearInterval(renewal);
        }
        // The connection ended here: the inbox is free for any replica (this one included) at the next try.
        if (session?.client.usable) await session.close();
        session = undefined;
        await leases.release(key).catch(() => undefined);
        if (stopped) break;
        await pause(Math.min(timing.firstRetryMs * 2 ** Math.max(failures - 1, 0), timing.maxRetryMs));
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
