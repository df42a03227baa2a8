import { Logger } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RedisService } from '../../src/common/redis/redis.module.js';
import { EmailIdleWatcher, type MailboxWatch } from '../../src/modules/channels/email/email-idle.watcher.js';
import type { EmailMailboxPoller } from '../../src/modules/channels/email/email-mailbox.poller.js';
import type { OpenMailbox } from '../../src/modules/channels/email/imap-session.js';
import { TEST_REDIS_URL } from '../support/env.js';
import { eventually } from '../support/eventually.js';

/** An IMAP connection as the watcher sees it: open until closed, `exists` when mail arrives. */
class FakeConnection extends EventEmitter {
  usable = true;
  end(): void {
    if (!this.usable) return;
    this.usable = false;
    this.emit('close');
  }
}

/** One worker replica: its own watcher (its own lease owner) over the same Redis, counting what it opened. */
function replica(redis: Redis) {
  const connections: FakeConnection[] = [];
  const poller = {
    openForIdle: (): Promise<OpenMailbox> => {
      const client = new FakeConnection();
      connections.push(client);
      return Promise.resolve({
        client,
        mailbox: {},
        close: () => Promise.resolve(client.end()),
      } as unknown as OpenMailbox);
    },
  };
  const watcher = new EmailIdleWatcher(
    poller as unknown as EmailMailboxPoller,
    {
      client: redis,
    } as RedisService,
  );
  watcher.timing = { firstRetryMs: 50, maxRetryMs: 200, leaseTtlMs: 600, leaseRetryMs: 100 };
  const open = () => connections.filter((c) => c.usable);
  return { watcher, connections, open };
}

describe('EmailIdleWatcher across worker replicas', () => {
  const prefix = `odt:${randomBytes(4).toString('hex')}:`;
  let redis: Redis;
  let watches: MailboxWatch[] = [];

  beforeAll(() => {
    Logger.overrideLogger(false);
    redis = new Redis(TEST_REDIS_URL, { keyPrefix: prefix });
  });
  afterEach(async () => {
    await Promise.all(watches.map((w) => w.stop()));
    watches = [];
  });
  afterAll(async () => {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length) await redis.del(...keys.map((k) => k.slice(prefix.length)));
    await redis.quit();
  });

  it('opens one connection per inbox across replicas, and another replica takes over when it stops', async () => {
    const a = replica(redis);
    const b = replica(redis);
    const announced: string[] = [];
    const watchA = a.watcher.watch('inbox-1', () => announced.push('a'));
    const watchB = b.watcher.watch('inbox-1', () => announced.push('b'));
    watches.push(watchA, watchB);
    await eventually(() => expect(a.open().length + b.open().length).toBe(1));
    // Several lease renewals and retries later, still one.
    await new Promise((r) => setTimeout(r, 700));
    expect(a.connections.length + b.connections.length).toBe(1);
    const [holder, other, holderWatch, otherWatch] =
      a.open().length === 1 ? [a, b, watchA, watchB] : [b, a, watchB, watchA];
    expect(holderWatch.open).toBe(true);
    expect(otherWatch.open).toBe(false);
    holder.open()[0]!.emit('exists', { count: 3, prevCount: 2 });
    expect(announced).toEqual([holder === a ? 'a' : 'b']);

    // The holder stops (a worker shut down): the other replica opens its own.
    await holderWatch.stop();
    await eventually(() => expect(other.open()).toHaveLength(1), 3_000);
    expect(holder.open()).toHaveLength(0);
  });

  it('closes its connection when its lease is lost, so two replicas never keep one open each', async () => {
    const a = replica(redis);
    watches.push(a.watcher.watch('inbox-2', () => undefined));
    await eventually(() => expect(a.open()).toHaveLength(1));
    // Another owner holds the key now (as after a Redis failover that lost it and another replica took it).
    await redis.set('email-idle:inbox-2', 'someone-else', 'PX', 5_000);
    await eventually(() => expect(a.open()).toHaveLength(0), 2_000);
    // It does not open again while the other owner holds the lease…
    await new Promise((r) => setTimeout(r, 400));
    expect(a.connections).toHaveLength(1);
    // …and does once that lease is gone.
    await redis.del('email-idle:inbox-2');
    await eventually(() => expect(a.open()).toHaveLength(1), 2_000);
    expect(a.connections).toHaveLength(2);
  });

  it('takes over an inbox whose holder crashed once its lease lapses', async () => {
    // A crashed replica's lease: nobody renews it, so it lapses after its TTL.
    await redis.set('email-idle:inbox-3', 'crashed-worker', 'PX', 1_000);
    const a = replica(redis);
    watches.push(a.watcher.watch('inbox-3', () => undefined));
    await new Promise((r) => setTimeout(r, 300));
    expect(a.connections).toHaveLength(0);
    await eventually(() => expect(a.open()).toHaveLength(1), 3_000);
  });
});
