import { Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';
import { decode, encode } from 'notepack.io';
import { Server } from 'socket.io';
import { afterEach, describe, expect, it } from 'vitest';
import {
  echoSkippingRedisAdapter,
  type EchoSkippingRedisAdapter,
} from '../../src/modules/realtime/echo-skipping-redis-adapter.js';
import { RealtimePeers } from '../../src/modules/realtime/realtime-peers.js';
import { TEST_REDIS_URL } from '../support/env.js';
import { eventually } from '../support/eventually.js';

/**
 * One "API process": a Socket.IO server with the Redis adapter on its own pub/sub connections and its peers
 * watch, counting what it publishes on the adapter's channels and what it decodes from the others.
 */
interface Proc {
  peers: RealtimePeers;
  adapter: EchoSkippingRedisAdapter;
  pub: Redis;
  sub: Redis;
  published: string[];
  decoded: unknown[];
  close(): Promise<void>;
}

describe('RealtimePeers: broadcasts are published only while another API process listens', () => {
  const key = `test:${randomUUID()}:`;
  const procs: Proc[] = [];

  afterEach(async () => {
    for (const p of procs.splice(0)) await p.close();
  });

  async function startProc(): Promise<Proc> {
    const pub = new Redis(TEST_REDIS_URL);
    const sub = new Redis(TEST_REDIS_URL, { enableReadyCheck: false });
    const published: string[] = [];
    const decoded: unknown[] = [];
    const publish = pub.publish.bind(pub);
    pub.publish = (channel: string, msg: string | Buffer) => {
      if (channel.startsWith(`${key}socket.io#`)) published.push(channel);
      return publish(channel, msg);
    };
    // Long poll: the tests call count() themselves.
    const peers = new RealtimePeers(pub, sub, `${key}socket.io-peers`, { pollMs: 60_000 });
    const parser = {
      encode: (value: unknown) => encode(value) as Buffer,
      decode: (msg: Buffer) => {
        const value = decode(msg) as unknown;
        decoded.push(value);
        return value;
      },
    };
    const io = new Server({
      adapter: echoSkippingRedisAdapter(pub, sub, { key: `${key}socket.io`, parser }, peers) as never,
    });
    const adapter = io.of('/chat').adapter as unknown as EchoSkippingRedisAdapter;
    // As the gateway does: the announcement after the adapter's subscriptions (issued first on the same
    // connection, so active by the time the peers channel's is).
    await peers.start();
    const proc: Proc = {
      peers,
      adapter,
      pub,
      sub,
      published,
      decoded,
      async close() {
        peers.stop();
        await adapter.close();
        sub.disconnect();
        pub.disconnect();
      },
    };
    procs.push(proc);
    // A socket of this process in the tenant's room (a process drops, undecoded, what is for rooms it lacks).
    void adapter.addAll(`socket-${procs.length}`, new Set(['tenant:t1']));
    return proc;
  }

  const broadcast = (p: Proc, n: number) =>
    p.adapter.broadcast(
      { type: 2, data: ['new_message', { n }], nsp: '/chat' },
      { rooms: new Set(['tenant:t1']), except: new Set() },
    );

  it('alone, a process publishes nothing; a newcomer is heard at once and receives every broadcast after it started', async () => {
    const first = await startProc();
    // Until it has counted, a process publishes (it cannot know it is alone).
    expect(first.peers.othersListening).toBe(true);
    await first.peers.count();
    expect(first.peers.othersListening).toBe(false);
    broadcast(first, 1);
    await new Promise((r) => setTimeout(r, 50));
    expect(first.published).toEqual([]);

    // The newcomer's start() returns once the first has acknowledged it: from then on the first publishes, with no
    // count in between.
    const second = await startProc();
    expect(first.peers.othersListening).toBe(true);
    broadcast(first, 2);
    await eventually(() => expect(second.decoded).toHaveLength(1));
    expect((second.decoded[0] as [string, { data: unknown[] }])[1].data).toEqual(['new_message', { n: 2 }]);
    expect(first.published).toEqual([`${key}socket.io#/chat#tenant:t1#`]);
    // And the newcomer, which counted two processes on the way, publishes to the first.
    await second.peers.count();
    expect(second.peers.othersListening).toBe(true);
    broadcast(second, 3);
    await eventually(() => expect(first.decoded).toHaveLength(1));

    // When the newcomer leaves, the next count finds the first alone again.
    await second.close();
    procs.splice(procs.indexOf(second), 1);
    await eventually(async () => {
      await first.peers.count();
      expect(first.peers.othersListening).toBe(false);
    });
    broadcast(first, 4);
    await new Promise((r) => setTimeout(r, 50));
    expect(first.published).toHaveLength(1);
  });

  it('a count taken before an announcement is not trusted after it', async () => {
    const first = await startProc();
    await first.peers.count();
    expect(first.peers.othersListening).toBe(false);
    // The first asks for a count and Redis answers "one subscriber", but the answer is read only after a newcomer
    // has announced itself (its own connection, read first): the stale count must not silence the first.
    first.pub.stream.pause();
    const counting = first.peers.count();
    await new Promise((r) => setTimeout(r, 50));
    const second = await startProc();
    expect(first.peers.othersListening).toBe(true);
    first.pub.stream.resume();
    await counting;
    expect(first.peers.othersListening).toBe(true);
    broadcast(first, 5);
    await eventually(() => expect(second.decoded).toHaveLength(1));
  });

  it('a process whose subscriber connection is down publishes (it cannot tell), and announces itself when back', async () => {
    const first = await startProc();
    const second = await startProc();
    await first.peers.count();
    expect(first.peers.othersListening).toBe(true);
    // The second's subscriber drops (and reconnects 300 ms later): the first, counting, finds itself alone; the
    // second, unable to hear anyone meanwhile, publishes.
    second.sub.options.retryStrategy = () => 300;
    second.sub.disconnect(true);
    await eventually(() => expect(second.sub.status).not.toBe('ready'), 1_000, 5);
    expect(second.peers.othersListening).toBe(true);
    await eventually(async () => {
      await first.peers.count();
      expect(first.peers.othersListening).toBe(false);
    });
    // Back (ioredis reconnects and resubscribes): the second's announcement makes the first publish again.
    await eventually(() => expect(first.peers.othersListening).toBe(true));
    await eventually(async () => {
      const before = second.decoded.length;
      broadcast(first, 6);
      await new Promise((r) => setTimeout(r, 50));
      expect(second.decoded.length).toBeGreaterThan(before);
    });
  });
});
