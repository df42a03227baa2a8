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

  it('drops the oldest entry beyond its size bound', () => {
    const cache = new TtlCache<string, number>(60_000, 2);
    cache.set('a', 1);
    cache.set('b', 2);
    cache.set('c', 3);
    expect(cache.get('a')).toBeUndefined();
    expect([cache.get('b'), cache.get('c')]).toEqual([2, 3]);
  });
});
