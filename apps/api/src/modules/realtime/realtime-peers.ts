import { Logger } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';
import { redisWithin } from '../../common/redis/redis-deadline.js';

/** How often a process re-counts the API processes on its Redis (the backstop; arrivals are announced at once). */
const DEFAULT_POLL_MS = 2_000;
/** How long a starting process waits for the others to acknowledge its arrival. */
const DEFAULT_ANNOUNCE_TIMEOUT_MS = 2_000;

type PeerMessage = { t: 'hello'; from: string } | { t: 'ack'; from: string; to: string };

/**
 * Whether any other API process shares this Redis (same key prefix), so a broadcast needs publishing at all. With
 * one API process every publish only comes back as its own echo: a write to Redis, Redis's work, and a read back,
 * per burst of events, for nothing. The Socket.IO adapter asks `othersListening` before it publishes.
 *
 * Every API process subscribes to one peers channel, so its subscriber count is the number of API processes:
 *
 * - A starting process subscribes, then announces itself (`hello`) and waits until every process the PUBLISH
 *   reached has acknowledged (`ack`), before it accepts sockets. A process acknowledges after it has started
 *   publishing again, so no event meant for the newcomer's sockets is skipped.
 * - Every `pollMs` a process counts the channel's subscribers (PUBSUB NUMSUB): alone when it is the only one. A
 *   count taken before an announcement that arrived meanwhile is discarded (`epoch`), so a newcomer is never
 *   forgotten by a stale count.
 * - A process whose subscriber connection is not ready assumes others listen (it cannot tell), and announces itself
 *   again when it is back, since others may have stopped publishing while it was away.
 *
 * Leaving needs no message: the next count sees one subscriber fewer. Until then the others publish for nobody,
 * which costs what it did before.
 */
export class RealtimePeers {
  private readonly logger = new Logger('RealtimePeers');
  readonly uid = randomUUID();
  private others = true;
  private epoch = 0;
  private subscribed = false;
  private started = false;
  private timer?: NodeJS.Timeout;
  private readonly acks = new Set<string>();
  /** Acknowledgements the announcement waits for (known once its PUBLISH answered). */
  private expected = Infinity;
  private ackWaiter?: () => void;

  constructor(
    private readonly pub: Redis,
    private readonly sub: Redis,
    readonly channel: string,
    private readonly options: { pollMs?: number; announceTimeoutMs?: number } = {},
  ) {}

  /** False only while this process is known to be the only API process on its Redis. */
  get othersListening(): boolean {
    return this.others || !this.subscribed || this.sub.status !== 'ready';
  }

  /**
   * Subscribes, announces this process and waits (up to the announce timeout) for every other process's
   * acknowledgement. Call after the adapter's own subscriptions are active and before accepting sockets.
   */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    const timeoutMs = this.options.announceTimeoutMs ?? DEFAULT_ANNOUNCE_TIMEOUT_MS;
    const deadline = Date.now() + timeoutMs;
    this.sub.on('messageBuffer', this.onMessage);
    this.sub.on('ready', this.onReconnect);
    await redisWithin(this.sub.subscribe(this.channel), timeoutMs, 'subscribing to the peers channel');
    this.subscribed = true;
    const acknowledged = new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), Math.max(0, deadline - Date.now()));
      this.ackWaiter = () => {
        clearTimeout(timer);
        resolve(true);
      };
    });
    // The reply counts this process's own subscription too.
    const reached = await redisWithin(this.announce(), timeoutMs, 'announcing this process');
    this.expected = reached - 1;
    if (this.acks.size >= this.expected) this.ackWaiter?.();
    if (!(await acknowledged))
      this.logger.warn(
        `${this.expected - this.acks.size} of ${this.expected} other API processes did not acknowledge this one within ${timeoutMs} ms`,
      );
    this.ackWaiter = undefined;
    this.timer = setInterval(() => void this.count(), this.options.pollMs ?? DEFAULT_POLL_MS);
    this.timer.unref();
  }

  /** Stops counting; the subscription ends with the subscriber connection. */
  stop(): void {
    clearInterval(this.timer);
    this.sub.off('messageBuffer', this.onMessage);
    this.sub.off('ready', this.onReconnect);
  }

  /** Counts the API processes now (the poll's step; tests call it to skip the wait). */
  async count(): Promise<void> {
    if (!this.subscribed || this.sub.status !== 'ready') return;
    const epoch = this.epoch;
    try {
      const reply = (await this.pub.pubsub('NUMSUB', this.channel)) as [string, number];
      if (epoch === this.epoch) this.others = Number(reply[1]) > 1;
    } catch {
      this.others = true; // cannot tell: publish
    }
  }

  private async announce(): Promise<number> {
    return this.pub.publish(
      this.channel,
      JSON.stringify({ t: 'hello', from: this.uid } satisfies PeerMessage),
    );
  }

  private readonly onReconnect = () => {
    // The subscription is restored by ioredis; the others may have stopped publishing meanwhile.
    if (this.subscribed) this.announce().catch(() => undefined);
  };

  private readonly onMessage = (channel: Buffer, raw: Buffer) => {
    if (channel.toString() !== this.channel) return;
    let msg: PeerMessage;
    try {
      msg = JSON.parse(raw.toString()) as PeerMessage;
    } catch {
      return;
    }
    if (msg.from === this.uid) return;
    if (msg.t === 'hello') {
      // Publishing again before acknowledging: the newcomer accepts sockets only after the acknowledgement.
      this.epoch++;
      this.others = true;
      const ack: PeerMessage = { t: 'ack', from: this.uid, to: msg.from };
      this.pub.publish(this.channel, JSON.stringify(ack)).catch(() => undefined);
    } else if (msg.t === 'ack' && msg.to === this.uid) {
      this.acks.add(msg.from);
      if (this.acks.size >= this.expected) this.ackWaiter?.();
    }
  };
}
