import { EventEmitter } from 'node:events';
import { createServer, type Server } from 'node:net';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Logger } from '@nestjs/common';
import { logQueueErrors } from './bullmq-connection.js';

const recordingLogger = () => {
  const lines: string[] = [];
  return { lines, logger: { warn: (line: string) => lines.push(line) } as unknown as Logger };
};

describe('logQueueErrors', () => {
  afterEach(() => vi.useRealTimers());

  it('logs the first error at once, then at most once a minute with how many were left out', () => {
    vi.useFakeTimers();
    const queue = new EventEmitter();
    const { lines, logger } = recordingLogger();
    logQueueErrors(queue, logger, 'outbound');
    queue.emit('error', new Error('Command timed out'));
    queue.emit('error', new Error('Command timed out'));
    queue.emit('error', new Error('Command timed out'));
    expect(lines).toEqual(['queue outbound: Command timed out']);
    vi.advanceTimersByTime(60_000);
    queue.emit('error', new Error('Connection is closed.'));
    expect(lines).toEqual([
      'queue outbound: Command timed out',
      'queue outbound: Connection is closed. (and 2 more since the last report)',
    ]);
  });

  it("takes a BullMQ queue's own errors (a Redis that accepts connections and never answers): nothing on stderr", async () => {
    const server: Server = createServer(() => undefined);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    const connection = new Redis(`redis://127.0.0.1:${port}`, {
      maxRetriesPerRequest: 1,
      commandTimeout: 200,
      connectTimeout: 1_000,
    });
    connection.on('error', () => undefined);
    const stderr = vi.spyOn(console, 'error');
    const { lines, logger } = recordingLogger();
    const queue = new Queue('hung', { connection, skipWaitingForReady: true });
    logQueueErrors(queue, logger, 'hung');
    try {
      await expect(queue.add('job', {})).rejects.toThrow();
      await vi.waitFor(() => expect(lines.length).toBeGreaterThan(0), { timeout: 3_000 });
      expect(lines[0]).toMatch(/^queue hung: /);
      expect(stderr).not.toHaveBeenCalled();
    } finally {
      stderr.mockRestore();
      connection.disconnect();
      server.close();
    }
  });
});
