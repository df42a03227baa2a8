import { Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';
import { Server } from 'socket.io';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decode, encode } from 'notepack.io';
import {
  echoSkippingRedisAdapter,
  type EchoSkippingRedisAdapter,
} from '../../src/modules/realtime/echo-skipping-redis-adapter.js';
import { TEST_REDIS_URL } from '../support/env.js';
import { eventually } from '../support/eventually.js';

/** The adapter's default msgpack parser, counting what it decodes. */
function countingParser() {
  const decoded: unknown[] = [];
  return {
    decoded,
    encode: (value: unknown) => encode(value) as Buffer,
    decode: (msg: Buffer) => {
      const value = decode(msg) as unknown;
      decoded.push(value);
      return value;
    },
  };
}

describe('EchoSkippingRedisAdapter (two Socket.IO servers on one Redis)', () => {
  const key = `test:${randomUUID()}:socket.io`;
  const clients: Redis[] = [];
  const parsers = [countingParser(), countingParser()];
  const adapters: EchoSkippingRedisAdapter[] = [];

  beforeAll(async () => {
    for (const parser of parsers) {
      const pub = new Redis(TEST_REDIS_URL);
      const sub = new Redis(TEST_REDIS_URL, { enableReadyCheck: false });
      clients.push(pub, sub);
      const io = new Server({
        adapter: echoSkippingRedisAdapter(pub, sub, { key, parser }) as never,
      });
      adapters.push(io.of('/chat').adapter as unknown as EchoSkippingRedisAdapter);
    }
    // Both adapters subscribed: a probe published by one reaches the other.
    await eventually(async () => {
      const before = parsers[1]!.decoded.length;
      adapters[0]!.broadcast(
        { type: 2, data: ['probe'], nsp: '/chat' },
        {
          rooms: new Set(),
          except: new Set(),
        },
      );
      await new Promise((r) => setTimeout(r, 50));
      expect(parsers[1]!.decoded.length).toBeGreaterThan(before);
    });
  });

  afterAll(async () => {
    for (const adapter of adapters) await adapter.close();
    for (const client of clients) client.disconnect();
  });

  it("delivers one process's broadcast to the other and never decodes its own echo", async () => {
    const [own, other] = parsers as [ReturnType<typeof countingParser>, ReturnType<typeof countingParser>];
    // Both processes have a socket in the room (a message for a room nobody in a process is in is dropped there
    // before decoding, echo or not).
    void adapters[0]!.addAll('socket-of-process-1', new Set(['tenant:t1']));
    void adapters[1]!.addAll('socket-of-process-2', new Set(['tenant:t1']));
    own.decoded.length = 0;
    other.decoded.length = 0;
    for (const n of [1, 2, 3]) {
      adapters[0]!.broadcast(
        { type: 2, data: ['new_message', { n }], nsp: '/chat' },
        {
          rooms: new Set([`tenant:t1`]),
          except: new Set(),
        },
      );
    }
    // The other process decodes each broadcast, payload intact, with the publisher's uid.
    await eventually(() => expect(other.decoded).toHaveLength(3));
    expect(other.decoded.map((m) => (m as [string, { data: unknown[] }])[1].data)).toEqual([
      ['new_message', { n: 1 }],
      ['new_message', { n: 2 }],
      ['new_message', { n: 3 }],
    ]);
    expect(new Set(other.decoded.map((m) => (m as [string])[0]))).toEqual(new Set([adapters[0]!.uid]));
    // By then Redis has handed the publisher its own three messages back (one connection, in order): none decoded.
    await new Promise((r) => setTimeout(r, 100));
    expect(own.decoded).toHaveLength(0);

    // And the other way round.
    adapters[1]!.broadcast(
      { type: 2, data: ['typing', { n: 4 }], nsp: '/chat' },
      {
        rooms: new Set(),
        except: new Set(),
      },
    );
    await eventually(() => expect(own.decoded).toHaveLength(1));
    expect((own.decoded[0] as [string])[0]).toBe(adapters[1]!.uid);
  });
});
