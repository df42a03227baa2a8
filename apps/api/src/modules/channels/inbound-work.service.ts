import {
  Injectable,
  Logger,
  Optional,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { RedisService } from '../../common/redis/redis.module.js';
import { requestContext } from '../../common/tenancy/request-context.js';
import { isTransientDbError } from '../../db/query-helpers.js';

/** Waits between tries of work that failed on a transient error: quick at first, then every 15 s. */
const RETRY_DELAYS_MS = [250, 500, 1_000, 2_000, 4_000, 8_000, 15_000];
/** How long acknowledged work keeps being retried (a Postgres restart or failover takes seconds to a minute). */
export const INBOUND_RETRY_WINDOW_MS = 3 * 60_000;
/**
 * A journal entry this old was not stored by the process that accepted it (it crashed, or gave up after its retry
 * window), and any process may replay it.
 */
export const INBOUND_REPLAY_AFTER_MS = INBOUND_RETRY_WINDOW_MS + 2 * 60_000;
/** How often each process looks for entries to replay. */
const REPLAY_EVERY_MS = 60_000;
/** The Redis hash of accepted, not yet stored work (under the deployment's key prefix): entry id → entry. */
export const INBOUND_JOURNAL_KEY = 'inbound:journal';

/** What a provider delivered, verified and acknowledged, for the handler registered for its kind. */
export interface InboundJournalEntry {
  kind: string;
  channelId: string;
  data: unknown;
  /** When it was accepted (ms). */
  at: number;
}

/** Stores one accepted delivery; must be idempotent (a replay may follow a partial success). */
export type InboundHandler = (channelId: string, data: unknown) => Promise<void>;

/** How deferred work ended, for its journal entry. */
type Outcome = 'done' | 'dropped' | 'left';

/**
 * Provider webhooks answer as soon as the request is verified (providers retry, or disable the webhook, when an
 * answer is slow); the verified payload is then stored here, after the answer, in the same process. The provider
 * will not send it again, so:
 *
 * - Before the answer, the delivery is written to a journal in Redis (`accept`), and removed once it is stored.
 *   A process that crashes, or gives up, leaves it there, and any API process replays it (`replay`, every minute)
 *   once it is INBOUND_REPLAY_AFTER_MS old, with the handler registered for its kind, taking it first (HDEL) so
 *   two processes never replay the same entry. Without Redis the delivery is still stored, unjournaled.
 * - Work that fails on a transient error (Postgres down, restarting, refusing or out of connections, a deadlock) is
 *   tried again with backoff for INBOUND_RETRY_WINDOW_MS; storing is idempotent (a provider message id is stored
 *   once), so a retry or a replay after a partial success stores nothing twice. Any other failure is logged with
 *   the provider's name at once, never reaches the provider and is not replayed (it would fail the same way).
 * - Shutdown waits for the work still running, and gives work waiting for a retry one last try; what still fails
 *   stays in the journal.
 */
@Injectable()
export class InboundWorkService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('InboundWork');
  private readonly running = new Set<Promise<void>>();
  private readonly handlers = new Map<string, InboundHandler>();
  /** Aborted at shutdown: cuts the backoff waits short, and no retry is planned after it. */
  private readonly closing = new AbortController();
  private replayTimer?: NodeJS.Timeout;
  /** How long transient failures are retried (tests shorten it). */
  retryWindowMs = INBOUND_RETRY_WINDOW_MS;
  /** How old a journal entry must be before it is replayed (tests shorten it). */
  replayAfterMs = INBOUND_REPLAY_AFTER_MS;

  constructor(@Optional() private readonly redis?: RedisService) {}

  /** The handler that stores deliveries of `kind` (the webhook service of that provider, at module init). */
  register(kind: string, handler: InboundHandler): void {
    this.handlers.set(kind, handler);
  }

  /**
   * Journals a verified delivery for `channelId` and stores it after the current request's answer, with the
   * handler registered for `kind`. `data` must survive JSON (it is replayed from the journal).
   */
  async accept(kind: string, channelId: string, data: unknown): Promise<void> {
    const handler = this.handlers.get(kind);
    if (!handler) throw new Error(`no inbound handler is registered for ${kind}`);
    const id = randomUUID();
    const entry: InboundJournalEntry = { kind, channelId, data, at: Date.now() };
    const journaled = await this.journal(id, entry).then(
      () => true,
      (err: Error) => {
        this.logger.warn(`${kind} for inbox ${channelId}: not journaled (${err.message}); storing it anyway`);
        return false;
      },
    );
    this.defer(`${kind} for inbox ${channelId}`, () => handler(channelId, data), journaled ? id : undefined);
  }

  /**
   * Runs `fn` after the current request's answer, in the request's context (request id, ip); with `journalId`,
   * removes that journal entry once `fn` succeeded or failed for good, and leaves it when it gave up on a
   * transient error.
   */
  defer(label: string, fn: () => Promise<unknown>, journalId?: string): void {
    const ctx = requestContext.get();
    const run = () => (ctx ? requestContext.run(ctx, fn) : fn());
    const task: Promise<void> = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => this.withRetries(label, run))
      .then(
        (): Outcome => 'done',
        (err: Error): Outcome => {
          const transient = isTransientDbError(err);
          this.logger.error(
            `${label}: ${err.stack ?? err.message}${transient && journalId ? ' (left in the journal for a replay)' : ''}`,
          );
          return transient ? 'left' : 'dropped';
        },
      )
      .then((outcome) => {
        if (journalId && outcome !== 'left') return this.unjournal(journalId);
      })
      .finally(() => this.running.delete(task));
    this.running.add(task);
  }

  onApplicationBootstrap(): void {
    if (!this.redis) return;
    this.replayTimer = setInterval(() => void this.replay().catch(() => undefined), REPLAY_EVERY_MS);
    this.replayTimer.unref();
  }

  /**
   * Replays the journal's entries older than `replayAfterMs` whose kind has a handler in this process; each is
   * taken (removed) first, so only one process replays it, and journaled again under a new id with a fresh time,
   * so a crash during the replay leaves it for the next one. Returns how many were replayed.
   */
  async replay(): Promise<number> {
    const redis = this.redis?.client;
    if (!redis) return 0;
    const before = Date.now() - this.replayAfterMs;
    let replayed = 0;
    let cursor = '0';
    do {
      const [next, flat] = await redis.hscan(INBOUND_JOURNAL_KEY, cursor, 'COUNT', 200);
      cursor = next;
      for (let i = 0; i + 1 < flat.length; i += 2) {
        const id = flat[i]!;
        const entry = parseEntry(flat[i + 1]!);
        if (!entry) {
          this.logger.error(`journal entry ${id} is unreadable; removed`);
          await redis.hdel(INBOUND_JOURNAL_KEY, id);
          continue;
        }
        const handler = this.handlers.get(entry.kind);
        if (entry.at > before || !handler) continue;
        if ((await redis.hdel(INBOUND_JOURNAL_KEY, id)) !== 1) continue; // another process took it
        // Under a new id: a process that read the old one meanwhile cannot take it a second time. Taken, it is
        // replayed even if journaling it again fails (as `accept` stores what it could not journal).
        const replayId = randomUUID();
        const rejournaled = await this.journal(replayId, { ...entry, at: Date.now() }).then(
          () => true,
          () => false,
        );
        this.logger.warn(
          `replaying ${entry.kind} for inbox ${entry.channelId}, accepted ${new Date(entry.at).toISOString()}`,
        );
        requestContext.run({ requestId: `replay:${replayId}` }, () =>
          this.defer(
            `${entry.kind} for inbox ${entry.channelId} (replay)`,
            () => handler(entry.channelId, entry.data),
            rejournaled ? replayId : undefined,
          ),
        );
        replayed++;
      }
    } while (cursor !== '0');
    return replayed;
  }

  /** Resolves when everything deferred so far has finished (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.running.size) await Promise.allSettled([...this.running]);
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.replayTimer);
    this.closing.abort();
    await this.idle();
  }

  private async withRetries(label: string, run: () => Promise<unknown>): Promise<void> {
    const started = Date.now();
    for (let attempt = 0; ; attempt++) {
      try {
        await run();
        if (attempt > 0) this.logger.log(`${label}: stored on try ${attempt + 1}`);
        return;
      } catch (err) {
        const delay = RETRY_DELAYS_MS[Math.min(attempt, RETRY_DELAYS_MS.length - 1)]!;
        const retry =
          isTransientDbError(err) &&
          !this.closing.signal.aborted &&
          Date.now() - started + delay <= this.retryWindowMs;
        if (!retry) throw err;
        this.logger.warn(`${label}: ${(err as Error).message}; trying again in ${delay} ms`);
        // Shutdown cuts the wait short: the work then gets its last try at once.
        await sleep(delay, undefined, { signal: this.closing.signal }).catch(() => undefined);
      }
    }
  }

  private async journal(id: string, entry: InboundJournalEntry): Promise<void> {
    if (!this.redis) throw new Error('no Redis');
    await this.redis.client.hset(INBOUND_JOURNAL_KEY, id, JSON.stringify(entry));
  }

  private async unjournal(id: string): Promise<void> {
    await this.redis?.client.hdel(INBOUND_JOURNAL_KEY, id).catch((err: Error) => {
      // Left behind, it is replayed later: storing is idempotent.
      this.logger.warn(`journal entry ${id} not removed: ${err.message}`);
    });
  }
}

function parseEntry(raw: string): InboundJournalEntry | undefined {
  try {
    const entry = JSON.parse(raw) as Partial<InboundJournalEntry>;
    return typeof entry.kind === 'string' &&
      typeof entry.channelId === 'string' &&
      typeof entry.at === 'number'
      ? (entry as InboundJournalEntry)
      : undefined;
  } catch {
    return undefined;
  }
}
