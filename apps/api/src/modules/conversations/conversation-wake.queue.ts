import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { bullPrefix, createBullConnection } from '../../common/queue/bullmq-connection.js';
import { APP_CONFIG, type AppConfig } from '../../config/app-config.js';

/**
 * Snoozed conversations open again at their `snoozedUntil`: one delayed job per snooze, run by the worker
 * (conversation-wake.worker.ts), plus a periodic sweep there that catches any job Redis lost.
 */
export const CONVERSATION_WAKE_QUEUE = 'conversation-wake';
export const WAKE_JOB = 'wake';
export const SWEEP_JOB = 'sweep';

export interface WakeJobData {
  tenantId: string;
  conversationId: string;
  /** The snooze this job ends (ISO). A later re-snooze leaves the conversation not due for this job. */
  snoozedUntil: string;
}

/**
 * One id per (conversation, wake-up time): re-snoozing to another time adds a new job instead of being
 * deduplicated against the old one, which then finds the conversation not due and does nothing.
 */
export const wakeJobId = (conversationId: string, until: Date) => `wake:${conversationId}:${until.getTime()}`;

export const WAKE_JOB_OPTIONS = {
  attempts: 5,
  backoff: { type: 'exponential', delay: 1_000 },
  removeOnComplete: true,
  removeOnFail: { age: 7 * 24 * 3600 },
} as const;

/** The producer side, used by the API when a conversation is snoozed. */
@Injectable()
export class ConversationWakeQueue implements OnModuleDestroy {
  private readonly connection: Redis;
  private readonly queue: Queue<WakeJobData>;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.connection = createBullConnection(config, 'producer');
    this.queue = new Queue<WakeJobData>(CONVERSATION_WAKE_QUEUE, {
      connection: this.connection,
      prefix: bullPrefix(config),
      defaultJobOptions: WAKE_JOB_OPTIONS,
      skipWaitingForReady: true,
    });
  }

  async schedule(tenantId: string, conversationId: string, until: Date): Promise<void> {
    await this.queue.add(
      WAKE_JOB,
      { tenantId, conversationId, snoozedUntil: until.toISOString() },
      { jobId: wakeJobId(conversationId, until), delay: Math.max(0, until.getTime() - Date.now()) },
    );
  }

  async onModuleDestroy(): Promise<void> {
    // As OutboundQueue: close politely only when Redis answers, giving a connection still being set up a moment.
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
