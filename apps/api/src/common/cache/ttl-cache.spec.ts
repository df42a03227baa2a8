import { afterEach, describe, expect, it, vi } from 'vitest';
import { TtlCache } from './ttl-cache.js';

describe('TtlCache', () => {
  afterEach(() => vi.useRealTimers());

  it('serves a value until its time to live has passed', () => {
    vi.useFakeTimers();
    const cache = new TtlCache<string, number>(1_000);
    cache.set('a', 1);
    vi.advanceTimersByTime(999);
    expect(cache.get('a')).toBe(1);
    vi.advanceTimersByTime(1);
    expect(cache.get('a')).toBeUndefined();
  });

  it('loads once per key while fresh, caching misses too', async () => {
    const cache = new TtlCache<string, number | undefined>(1_000);
    const load = vi.fn(() => Promise.resolve(undefined));
    await cache.getOrLoad('x', load);
    await cache.getOrLoad('x', load);
    expect(load).toHaveBeenCalledTimes(1);
    cache.delete('x');
    await cache.getOrLoad('x', load);
    expect(load).toHaveBeenCalledTimes(2);
  });

  it('runs one load for the callers that miss while it runs, and caches its result', async () => {
    const cache = new TtlCache<string, number>(1_000);
    let release!: (n: number) => void;
    const answer = new Promise<number>((r) => (release = r));
    const load = vi.fn(() => answer);
    const callers = [cache.getOrLoad('k', load), cache.getOrLoad('k', load), cache.getOrLoad('k', load)];
    await Promise.resolve();
    release(7);
    expect(await Promise.all(callers)).toEqual([7, 7, 7]);
    expect(await cache.getOrLoad('k', load)).toBe(7);
    expect(load).toHaveBeenCalledTimes(1);
  });

  it('does not cache a load that an invalidation overtook; later callers load again', async () => {
    const cache = new TtlCache<string, string>(60_000);
    const releases: ((v: string) => void)[] = [];
    const load = vi.fn(() => new Promise<string>((r) => releases.push(r)));
    const before = cache.getOrLoad('secret', load);
    await Promise.resolve();
    cache.delete('secret'); // the secret was rotated while the first load ran
    const after = cache.getOrLoad('secret', load);
    await Promise.resolve();
    releases[0]!('old');
    releases[1]!('new');
    expect(await before).toBe('old');
    expect(await after).toBe('new');
    expect(cache.get('secret')).toBe('new');
    expect(await cache.getOrLoad('secret', load)).toBe('new');
    expect(load).toHaveBeenCalledTimes(2);

    const cleared = cache.getOrLoad('other', () => Promise.resolve('stale'));
    cache.clear();
    expect(await cleared).toBe('stale');
    expect(cache.get('other')).toBeUndefined();
  });

  it('caches no failed load: its callers get the error, the next caller loads again', async () => {
    const cache = new TtlCache<string, number>(1_000);
    const failing = vi.fn(() => Promise.reject(new Error('db down')));
    const both = [cache.getOrLoad('k', failing), cache.getOrLoad('k', failing)];
    for (const call of both) await expect(call).rejects.toThrow('db down');
    expect(failing).toHaveBeenCalledTimes(1);
    const throwing = vi.fn((): Promise<number> => {
      throw new Error('sync throw');
    });
    await expect(cache.getOrLoad('k', throwing)).rejects.toThrow('sync throw');
    expect(await cache.getOrLoad('k', () => Promise.resolve(3))).toBe(3);
  });

  it('drops the oldest entry beyond its size bound', () => {
    const cache = new TtlCache<string, number>(60_000, 2);
    cache.set('a', 1);
    cache.set('b', 2);
    cache.set('c', 3);
    expect(cache.get('a')).toBeUndefined();
    expect([cache.get('b'), cache.get('c')]).toEqual([2, 3]);
  });
});
