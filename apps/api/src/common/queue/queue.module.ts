import { Global, Inject, Injectable, Module, type OnModuleDestroy } from '@nestjs/common';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { APP_CONFIG, type AppConfig } from '../../config/app-config.js';
import { bullPrefix, createBullConnection } from './bullmq-connection.js';
import { OUTBOUND_JOB_OPTIONS, OUTBOUND_QUEUE, type OutboundJobData } from './queue.constants.js';

/** The producer side of the `outbound` queue; the worker process consumes it (worker.ts). */
@Injectable()
export class OutboundQueue implements OnModuleDestroy {
  private readonly connection: Redis;
  private readonly queue: Queue<OutboundJobData>;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.connection = createBullConnection(config, 'producer');
    this.queue = new Queue<OutboundJobData>(OUTBOUND_QUEUE, {
      connection: this.connection,
      prefix: bullPrefix(config),
      defaultJobOptions: OUTBOUND_JOB_OPTIONS,
      // Fail the request at once when Redis is not connected, rather than wait for it.
      skipWaitingForReady: true,
    });
  }

  async enqueue(data: OutboundJobData): Promise<void> {
    await this.queue.add('send', data, { jobId: data.messageId });
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

export function readyWithin(connection: Redis, ms: number): Promise<boolean> {
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

@Global()
@Module({ providers: [OutboundQueue], exports: [OutboundQueue] })
export class QueueModule {}
