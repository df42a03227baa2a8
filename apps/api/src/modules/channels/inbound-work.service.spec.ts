import { describe, expect, it } from 'vitest';
import { isTransientDbError } from '../../db/query-helpers.js';
import { InboundWorkService } from './inbound-work.service.js';

/** An error shaped as node-postgres raises it for a SQLSTATE. */
const pgError = (code: string, message = 'failed'): Error & { code: string } =>
  Object.assign(new Error(message), { code });

describe('isTransientDbError', () => {
  it('is true for a lost, refused or overloaded Postgres, and for deadlocks and serialization failures', () => {
    for (const err of [
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }),
      pgError('57P01', 'terminating connection due to administrator command'),
      pgError('57P03', 'the database system is starting up'),
      pgError('53300', 'sorry, too many clients already'),
      pgError('08006'),
      pgError('40001'),
      pgError('40P01'),
      pgError('55000', 'database "x" is not currently accepting connections'),
      new Error('Connection terminated unexpectedly'),
      new Error('timeout exceeded when trying to connect'),
      // Drizzle wraps the driver's error as its cause.
      new Error('Failed query: insert …', { cause: pgError('40P01') }),
    ])
      expect(isTransientDbError(err), String(err)).toBe(true);
  });

  it('is false for errors that repeat: constraints, bad values, other 55000s, bugs', () => {
    for (const err of [
      pgError('23505'),
      pgError('23514'),
      pgError('22P02'),
      pgError('55000', 'cannot execute in a read-only transaction'),
      new TypeError("Cannot read properties of undefined (reading 'id')"),
      undefined,
      'a string',
    ])
      expect(isTransientDbError(err), String(err)).toBe(false);
  });
});

describe('InboundWorkService', () => {
  const failing = (errors: Error[]) => {
    const calls: number[] = [];
    const fn = () => {
      calls.push(Date.now());
      const err = errors.shift();
      return err ? Promise.reject(err) : Promise.resolve();
    };
    return { fn, calls };
  };

  it('tries work that failed on a transient error again, with growing waits, until it succeeds', async () => {
    const work = new InboundWorkService();
    const { fn, calls } = failing([pgError('40001'), pgError('57P01')]);
    work.defer('test', fn);
    await work.idle();
    expect(calls).toHaveLength(3);
    expect(calls[1]! - calls[0]!).toBeGreaterThanOrEqual(200);
    expect(calls[2]! - calls[1]!).toBeGreaterThanOrEqual(450);
  });

  it('does not try a permanent failure again', async () => {
    const work = new InboundWorkService();
    const { fn, calls } = failing([pgError('23514')]);
    work.defer('test', fn);
    await work.idle();
    expect(calls).toHaveLength(1);
  });

  it('gives up when the retry window is over', async () => {
    const work = new InboundWorkService();
    // Tries at 0, 250 and 750 ms (never earlier); the next wait (1 s) would end past the window.
    work.retryWindowMs = 1_600;
    const { fn, calls } = failing(Array.from({ length: 10 }, () => pgError('08006')));
    work.defer('test', fn);
    await work.idle();
    expect(calls).toHaveLength(3);
  });

  it('at shutdown, work waiting for a retry gets one last try at once, and shutdown does not wait out the window', async () => {
    const work = new InboundWorkService();
    const { fn, calls } = failing(Array.from({ length: 4 }, () => pgError('08006')));
    work.defer('test', fn);
    // Three tries (at 0, 250 and 750 ms) have failed; the fourth is a second away.
    await expect.poll(() => calls.length, { timeout: 5_000, interval: 20 }).toBe(3);
    const started = Date.now();
    await work.onApplicationShutdown();
    expect(Date.now() - started).toBeLessThan(300);
    // The last try ran (and failed: it is logged, not retried).
    expect(calls).toHaveLength(4);
  });

  it('accept runs the handler registered for the kind with the delivery (stored unjournaled without Redis), and refuses a kind nobody handles', async () => {
    const work = new InboundWorkService();
    const seen: [string, unknown][] = [];
    work.register('test.kind', (channelId, data) => {
      seen.push([channelId, data]);
      return Promise.resolve();
    });
    await work.accept('test.kind', 'inbox-1', { n: 1 });
    await work.idle();
    expect(seen).toEqual([['inbox-1', { n: 1 }]]);
    await expect(work.accept('other.kind', 'inbox-1', {})).rejects.toThrow(
      'no inbound handler is registered for other.kind',
    );
    expect(await work.replay()).toBe(0);
  });
});
