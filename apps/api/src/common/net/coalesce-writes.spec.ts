import { readFileSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { TEST_REDIS_URL } from '../../../test/support/env.js';
import { coalesceRedisWrites, coalesceWrites } from './coalesce-writes.js';

/** Write system calls made by this process so far (Linux). */
const writeCalls = () => Number(/syscw:\s*(\d+)/.exec(readFileSync('/proc/self/io', 'utf8'))![1]);
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('coalesceWrites', () => {
  let server: Server | undefined;
  const sockets: Socket[] = [];
  afterEach(async () => {
    for (const s of sockets.splice(0)) s.destroy();
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  });

  /** A TCP connection over loopback: the client end, and everything the server end receives. */
  async function connection(): Promise<{ client: Socket; received: () => string }> {
    let data = '';
    server = createServer((peer) => {
      sockets.push(peer);
      peer.setEncoding('utf8').on('data', (chunk: string) => (data += chunk));
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    const client = await new Promise<Socket>((resolve) => {
      const s: Socket = connect(port, '127.0.0.1', () => resolve(s));
    });
    sockets.push(client);
    return { client, received: () => data };
  }

  it("sends one turn's writes in one system call, in order, and nothing is held after the turn", async () => {
    const { client, received } = await connection();
    coalesceWrites(client);
    const before = writeCalls();
    for (let i = 0; i < 20; i++) client.write(`frame-${i};`);
    expect(client.writableCorked).toBe(1);
    await nextTurn();
    expect(client.writableCorked).toBe(0);
    // Twenty writes, at most a few system calls (this process may write elsewhere meanwhile); uncorked: ≥ 20.
    expect(writeCalls() - before).toBeLessThan(10);
    const expected = Array.from({ length: 20 }, (_, i) => `frame-${i};`).join('');
    await expect.poll(received).toBe(expected);

    // The next turn's writes are corked afresh and flushed too.
    client.write('later;');
    expect(client.writableCorked).toBe(1);
    await nextTurn();
    await expect.poll(received).toBe(`${expected}later;`);
  });

  it("flushing per task sends one task's writes together as soon as its microtasks are done, before the next turn", async () => {
    const { client, received } = await connection();
    coalesceWrites(client, 'task');
    const before = writeCalls();
    for (let i = 0; i < 20; i++) client.write(`frame-${i};`);
    expect(client.writableCorked).toBe(1);
    // A microtask later (no setImmediate in between), the socket is uncorked and the frames are written.
    await Promise.resolve();
    expect(client.writableCorked).toBe(0);
    expect(writeCalls() - before).toBeLessThan(10);
    const expected = Array.from({ length: 20 }, (_, i) => `frame-${i};`).join('');
    await expect.poll(received).toBe(expected);
    // A later task is corked afresh.
    setImmediate(() => {
      client.write('a;');
      client.write('b;');
      expect(client.writableCorked).toBe(1);
    });
    await nextTurn();
    expect(client.writableCorked).toBe(0);
    await expect.poll(received).toBe(`${expected}a;b;`);
  });

  it('without it, every write is a system call of its own (what the wrapper saves)', async () => {
    const { client, received } = await connection();
    const before = writeCalls();
    for (let i = 0; i < 20; i++) client.write(`frame-${i};`);
    await nextTurn();
    expect(writeCalls() - before).toBeGreaterThanOrEqual(20);
    await expect
      .poll(() => received().length)
      .toBe(Array.from({ length: 20 }, (_, i) => `frame-${i};`).join('').length);
  });

  it('a socket destroyed before the turn ends is uncorked without error', async () => {
    const { client } = await connection();
    coalesceWrites(client);
    const errors: Error[] = [];
    client.on('error', (err) => errors.push(err));
    client.write('x');
    client.destroy();
    await nextTurn();
    expect(client.destroyed).toBe(true);
    expect(errors).toEqual([]);
  });

  it('an ioredis connection sends a turn of commands in one write, answers each, and again after a reconnect', async () => {
    const redis = new Redis(TEST_REDIS_URL, { lazyConnect: true });
    coalesceRedisWrites(redis);
    try {
      await redis.connect();
      const key = `test:coalesce:${process.pid}:${Date.now()}`;
      const burst = async () => {
        await nextTurn();
        const before = writeCalls();
        const replies = Promise.all(Array.from({ length: 20 }, () => redis.incr(key)));
        await nextTurn();
        const calls = writeCalls() - before;
        return { calls, replies: await replies };
      };
      const first = await burst();
      expect(first.replies).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
      expect(first.calls).toBeLessThan(10);

      // A new socket after a reconnect is wrapped too.
      redis.disconnect(true);
      await new Promise((resolve) => redis.once('ready', resolve));
      const second = await burst();
      expect(second.replies).toEqual(Array.from({ length: 20 }, (_, i) => i + 21));
      expect(second.calls).toBeLessThan(10);
      await redis.del(key);
    } finally {
      redis.disconnect();
    }
  });
});
