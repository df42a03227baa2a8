import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { Queue, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { DomainEvents } from '../../common/events/domain-events.js';
import { bullPrefix, createBullConnection, logQueueErrors } from '../../common/queue/bullmq-connection.js';
import { requestContext } from '../../common/tenancy/request-context.js';
import { TenantDb } from '../../common/tenancy/tenant-db.service.js';
import { APP_CONFIG, type AppConfig } from '../../config/app-config.js';
import { CONVERSATION_WAKE_QUEUE, SWEEP_JOB, WAKE_JOB, type WakeJobData } from './conversation-wake.queue.js';
import { toConversationDto, type ConversationRow } from './conversation-dto.js';
import { ConversationsRepository } from './conversations.repository.js';

/** How often the sweep looks for snoozes whose wake-up job was lost (a Redis flush or failover). */
export const SWEEP_EVERY_MS = 60_000;
const SWEEP_BATCH = 500;
const WOKEN = ['status', 'snoozedUntil'];

/**
 * The worker side of snoozing: runs each conversation's wake-up job, and a sweep (on start and every minute, as
 * a BullMQ job scheduler, so one worker runs it however many there are) that opens any snoozed conversation
 * whose time has passed. Either way a conversation is woken once: the UPDATE only matches snoozed rows.
 */
@Injectable()
export class ConversationWakeWorker implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('ConversationWakeWorker');
  private connection?: Redis;
  private worker?: Worker;
  private queue?: Queue;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly tenantDb: TenantDb,
    private readonly repo: ConversationsRepository,
    private readonly events: DomainEvents,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const connection = createBullConnection(this.config, 'worker');
    this.connection = connection;
    const prefix = bullPrefix(this.config);
    this.queue = new Queue(CONVERSATION_WAKE_QUEUE, { connection, prefix });
    logQueueErrors(this.queue, this.logger, CONVERSATION_WAKE_QUEUE);
    await this.queue.upsertJobScheduler(
      SWEEP_JOB,
      { every: SWEEP_EVERY_MS },
      { name: SWEEP_JOB, opts: { removeOnComplete: true, removeOnFail: { count: 100 } } },
    );
    this.worker = new Worker(CONVERSATION_WAKE_QUEUE, (job) => this.process(job), {
      connection,
      prefix,
      concurrency: 10,
    });
    // Job failures are retried by BullMQ; this catches the worker's own connection errors.
    this.worker.on('error', (err) => this.logger.error(`worker error: ${err.message}`));
    await this.worker.waitUntilReady();
    // A restarted worker catches up at once rather than at the scheduler's next tick.
    await this.sweep().catch((err: Error) => this.logger.error(`start-up sweep failed: ${err.message}`));
  }

  async onModuleDestroy(): Promise<void> {
    // Lets running jobs finish before Postgres (a global module, destroyed after this one) closes.
    await this.worker?.close();
    await this.queue?.close();
    await this.connection?.quit().catch(() => this.connection?.disconnect());
  }

  process(job: Job): Promise<unknown> {
    if (job.name === SWEEP_JOB) return this.sweep();
    if (job.name !== WAKE_JOB) throw new Error(`unknown job ${job.name} on ${CONVERSATION_WAKE_QUEUE}`);
    const data = job.data as WakeJobData;
    return requestContext.run({ tenantId: data.tenantId, requestId: `job:wake:${job.id}` }, () =>
      this.wake(data),
    );
  }

  /** Ends the snooze this job was for, unless the conversation was woken, re-snoozed later or deleted. */
  private async wake({ conversationId, snoozedUntil }: WakeJobData): Promise<void> {
    const row = await this.tenantDb.run((tx) =>
      this.repo.wakeIfDue(tx, conversationId, new Date(snoozedUntil)),
    );
    if (row) this.publish(row);
  }

  /** Opens every overdue snoozed conversation, in every tenant. Returns how many. */
  async sweep(): Promise<number> {
    let woken = 0;
    for (;;) {
      const rows = await this.repo.unsafeWakeOverdue(SWEEP_BATCH);
      for (const row of rows) this.publish(row);
      woken += rows.length;
      if (rows.length < SWEEP_BATCH) break;
    }
    if (woken) this.logger.log(`sweep opened ${woken} snoozed conversation(s) past their time`);
    return woken;
  }

  private publish(row: ConversationRow): void {
    this.events.publish('conversation.updated', {
      tenantId: row.tenantId,
      conversation: toConversationDto(row),
      changes: [...WOKEN],
    });
  }
}
