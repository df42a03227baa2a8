import type { Redis } from 'ioredis';
import type { Duplex } from 'node:stream';

const coalesced = Symbol('writes coalesced per turn');

/**
 * When a corked socket is flushed: on the next `setImmediate` (everything written in this turn of the event loop,
 * including by callbacks that run after awaits), or when the current task's microtasks run out (everything one
 * synchronous burst wrote, such as one delivery of domain events, without waiting for the next loop iteration).
 */
export type FlushOn = 'turn' | 'task';

/**
 * Corks `socket` at its first write and uncorks it at `flushOn`, so everything written to it meanwhile leaves in
 * one `write` system call, in the same order. On this kind of VM a write that wakes the process at the other end
 * costs far more than the bytes it carries; bursts are common on the hot paths (a group-committed batch's
 * events, its jobs). A socket destroyed meanwhile is left alone.
 */
export function coalesceWrites(socket: Duplex, flushOn: FlushOn = 'turn'): void {
  const marked = socket as Duplex & { [coalesced]?: true };
  if (marked[coalesced]) return;
  marked[coalesced] = true;
  const write = socket.write.bind(socket) as (...args: unknown[]) => boolean;
  let corked = false;
  const uncork = () => {
    corked = false;
    socket.uncork();
  };
  socket.write = ((...args: unknown[]) => {
    if (!corked && !socket.destroyed) {
      corked = true;
      socket.cork();
      if (flushOn === 'task') queueMicrotask(uncork);
      else setImmediate(uncork);
    }
    return write(...args);
  }) as Duplex['write'];
}

/**
 * The same for an ioredis connection, on every socket it connects (reconnects included): the commands issued in
 * one turn go to Redis in one write, as auto-pipelining would send them, without building a Pipeline object (on a
 * connection carrying BullMQ's ~50 scripts, each Pipeline copies them all).
 */
export function coalesceRedisWrites(redis: Redis, flushOn: FlushOn = 'turn'): void {
  redis.on('connect', () => {
    if (redis.stream) coalesceWrites(redis.stream, flushOn);
  });
}
