import { Logger } from '@nestjs/common';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { AppConfig } from '../../../config/app-config.js';
import type { ChannelRow, ChannelsRepository } from '../channels.repository.js';
import type { EmailIdleWatcher } from './email-idle.watcher.js';
import type { EmailMailboxPoller, PollOutcome } from './email-mailbox.poller.js';
import { EmailPollScheduler } from './email-poll.scheduler.js';

describe('EmailPollScheduler', () => {
  let rows: Pick<ChannelRow, 'id' | 'config'>[];
  let polls: string[];
  let failing: Set<string>;
  let backlog: Set<string>;
  let scheduler: EmailPollScheduler;
  /** The IDLE connections the scheduler holds, by inbox: their new-mail callback, and whether stopped. */
  let watches: { id: string; announce: () => void; stopped: boolean }[];
  let pollGate: Promise<void> | undefined;

  const count = (id: string) => polls.filter((p) => p === id).length;

  beforeEach(() => {
    Logger.overrideLogger(false);
    vi.useFakeTimers();
    // First polls start at once instead of somewhere in the start spread.
    vi.spyOn(Math, 'random').mockReturnValue(0);
    rows = [
      { id: 'a', config: {} },
      { id: 'b', config: { pollIntervalSeconds: 20 } },
    ];
    polls = [];
    failing = new Set();
    backlog = new Set();
    watches = [];
    pollGate = undefined;
    const channels = { unsafeListActiveByType: () => Promise.resolve(rows) };
    const poller = {
      poll: async (id: string): Promise<PollOutcome> => {
        polls.push(id);
        await pollGate;
        if (failing.has(id)) throw new Error('IMAP login failed');
        return { status: 'polled', stored: 0, duplicates: 0, skipped: 0, more: backlog.has(id) };
      },
    };
    const idle = {
      watch: (id: string, announce: () => void) => {
        const watch = { id, announce, stopped: false };
        watches.push(watch);
        return {
          open: true,
          stop: () => {
            watch.stopped = true;
            return Promise.resolve();
          },
        };
      },
    };
    scheduler = new EmailPollScheduler(
      { EMAIL_POLL_INTERVAL_SECONDS: 60, EMAIL_IDLE: true } as AppConfig,
      channels as unknown as ChannelsRepository,
      poller as unknown as EmailMailboxPoller,
      idle as unknown as EmailIdleWatcher,
    );
  });
  afterEach(async () => {
    await scheduler.onApplicationShutdown();
    vi.useRealTimers();
    vi.restoreAllMocks();
  });

  it("polls each inbox on its own interval (the inbox's, else the platform default)", async () => {
    scheduler.onApplicationBootstrap();
    await vi.advanceTimersByTimeAsync(10);
    expect(polls.sort()).toEqual(['a', 'b']);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(count('a')).toBe(2);
    expect(count('b')).toBe(4);
  });

  it('backs off a failing mailbox, doubling the wait, and never throws', async () => {
    failing.add('a');
    scheduler.onApplicationBootstrap();
    await vi.advanceTimersByTimeAsync(10);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(count('a')).toBe(2);
    await vi.advanceTimersByTimeAsync(119_000);
    expect(count('a')).toBe(2);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(count('a')).toBe(3);
    failing.clear();
    await vi.advanceTimersByTimeAsync(240_000);
    expect(count('a')).toBe(4);
    // Healthy again: back to the interval.
    await vi.advanceTimersByTimeAsync(60_000);
    expect(count('a')).toBe(5);
  });

  it('stops polling a deleted or disabled inbox and starts polling a new one at the next rescan', async () => {
    scheduler.onApplicationBootstrap();
    await vi.advanceTimersByTimeAsync(10);
    rows = [
      { id: 'a', config: {} },
      { id: 'c', config: { pollIntervalSeconds: 30 } },
    ];
    await vi.advanceTimersByTimeAsync(30_000);
    const bPolls = count('b');
    expect(count('c')).toBe(1);
    await vi.advanceTimersByTimeAsync(120_000);
    expect(count('b')).toBe(bPolls);
    expect(count('c')).toBeGreaterThanOrEqual(4);
  });

  it('continues a backlog after a short pause instead of a whole interval', async () => {
    backlog.add('a');
    scheduler.onApplicationBootstrap();
    await vi.advanceTimersByTimeAsync(3_010);
    expect(count('a')).toBe(4);
  });

  it('polls at once when new mail is announced, and right after a poll that was running', async () => {
    scheduler.onApplicationBootstrap();
    await vi.advanceTimersByTimeAsync(10);
    expect(count('a')).toBe(1);
    const a = watches.find((w) => w.id === 'a')!;
    a.announce();
    await vi.advanceTimersByTimeAsync(1);
    expect(count('a')).toBe(2);

    // Announced twice while a poll runs: one more poll when it ends, then the interval again.
    let release!: () => void;
    pollGate = new Promise((r) => (release = r));
    a.announce();
    await vi.advanceTimersByTimeAsync(1);
    expect(count('a')).toBe(3);
    a.announce();
    a.announce();
    pollGate = undefined;
    release();
    await vi.advanceTimersByTimeAsync(1);
    expect(count('a')).toBe(4);
    await vi.advanceTimersByTimeAsync(59_000);
    expect(count('a')).toBe(4);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(count('a')).toBe(5);
  });

  it('keeps one IDLE connection per inbox, reopens it when the settings change, closes it when the inbox goes', async () => {
    scheduler.onApplicationBootstrap();
    await vi.advanceTimersByTimeAsync(10);
    expect(watches.map((w) => [w.id, w.stopped])).toEqual([
      ['a', false],
      ['b', false],
    ]);
    rows = [{ id: 'a', config: { imap: { mailbox: 'Support' } } }];
    await vi.advanceTimersByTimeAsync(30_000);
    expect(watches.map((w) => [w.id, w.stopped])).toEqual([
      ['a', true],
      ['b', true],
      ['a', false],
    ]);
    // A closed connection's late notice polls nothing.
    const before = count('b');
    watches[1]!.announce();
    await vi.advanceTimersByTimeAsync(1);
    expect(count('b')).toBe(before);
    await scheduler.onApplicationShutdown();
    expect(watches.every((w) => w.stopped)).toBe(true);
  });

  it('polls nothing more once shut down', async () => {
    scheduler.onApplicationBootstrap();
    await vi.advanceTimersByTimeAsync(10);
    await scheduler.onApplicationShutdown();
    await vi.advanceTimersByTimeAsync(600_000);
    expect(polls).toHaveLength(2);
  });
});
