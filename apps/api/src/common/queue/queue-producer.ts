import { Logger, type OnModuleDestroy } from '@nestjs/common';
import { Queue, type DefaultJobOptions, type JobsOptions, type JobState } from 'bullmq';
import type { Redis } from 'ioredis';
import type { AppConfig } from '../../config/app-config.js';
import { coalesceRedisWrites } from '../net/coalesce-writes.js';
import { bullPrefix, createBullConnection, logQueueErrors } from './bullmq-connection.js';

/** What `addIfAbsent` did: added the job, or found one in this state. */
export type RequeueResult = 'added' | JobState | 'unknown';

/**
 * The producer side of one BullMQ queue, on a connection of its own. Subclasses add the typed `enqueue` of their
 * queue; the worker process consumes it.
 */
export abstract class QueueProducer<T> implements OnModuleDestroy {
  private readonly connection: Redis;
  protected readonly queue: Queue<T>;

  protected constructor(config: AppConfig, name: string, defaultJobOptions: DefaultJobOptions) {
    this.connection = createBullConnection(config, 'producer');
    // Jobs added in the same turn (a group-committed batch's, one per message) reach Redis in one write.
    coalesceRedisWrites(this.connection);
    this.queue = new Queue<T>(name, {
      connection: this.connection,
      prefix: bullPrefix(config),
      defaultJobOptions,
      // Fail the request at once when Redis is not connected, rather than wait for it.
      skipWaitingForReady: true,
    });
    logQueueErrors(this.queue, new Logger(QueueProducer.name), name);
  }

  /**
   * Adds the job unless one with its id is still kept (in any state), and says which: 'added', or the state of
   * the job that is there. Recovery sweeps use it to re-add jobs lost between a commit and its enqueue.
   */
  protected async addIfAbsent(name: string, data: T, jobId: string): Promise<RequeueResult> {
    const existing = await this.queue.getJob(jobId);
    if (existing) return existing.getState();
    // Still idempotent if the job appeared meanwhile: BullMQ ignores an add whose id exists.
    await this.queue.add(name as never, data as never, { jobId });
    return 'added';
  }

  /**
   * Adds a job for a queue fed per inbound message. Each add is one script call, and the connection sends all the
   * calls of a turn of the event loop in one write (coalesceRedisWrites), so a burst of requests finishing together
   * costs one round trip, without `addBulk`'s MULTI (whose Pipeline copies every BullMQ script each time). Job ids
   * de-duplicate as with any `add`.
   */
  protected async addCoalesced(name: string, data: T, opts: JobsOptions): Promise<void> {
    await this.queue.add(name as never, data as never, opts);
  }

  async onModuleDestroy(): Promise<void> {
    // Closing politely needs a Redis that answers; when it does not, shutdown must not wait for it. A connection
    // still being set up (an app closed right after boot) gets a moment to finish, so its commands are not cut.
    if (await readyWithin(this.connection, 1_000)) {
      await this.queue.close();
      await this.connection.quit().catch(() => this.connection.disconnect());
    } else {
      this.connection.disconnect();
    }
  }
}

function readyWithin(connection: Redis, ms: number): Promise<boolean> {
  if (connection.status === 'ready') return Promise.resolve(true);
  if (connection.status !== 'connecting' && connection.status !== 'connect') return Promise.resolve(false);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    connection.once('ready', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}
