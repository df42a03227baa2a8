/**
 * A small in-process cache with a time to live and a size bound, for lookups on hot paths whose staleness is
 * acceptable for a few seconds across replicas (each process also drops entries it changed itself).
 */
export class TtlCache<K, V> {
  private readonly entries = new Map<K, { value: V; expires: number }>();
  /** Loads under way, by key: the one a miss joins. */
  private readonly loading = new Map<K, Promise<V>>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries = 10_000,
  ) {}

  get(key: K): V | undefined {
    const hit = this.entries.get(key);
    if (!hit) return undefined;
    if (hit.expires <= Date.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return hit.value;
  }

  set(key: K, value: V): void {
    // Maps iterate in insertion order, so the first key is the oldest entry.
    if (this.entries.size >= this.maxEntries && !this.entries.has(key)) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    this.entries.set(key, { value, expires: Date.now() + this.ttlMs });
  }

  /**
   * The cached value, or `load()`'s result cached (undefined results are cached too, as misses). Callers that miss
   * while a load of the same key runs share it (one query when an entry expires under load, not one per request),
   * and a load that an invalidation (`delete`, `clear`) overtook answers its callers but is not cached: what it
   * read may be what was just changed.
   */
  getOrLoad(key: K, load: () => Promise<V>): Promise<V> {
    const hit = this.entries.get(key);
    if (hit && hit.expires > Date.now()) return Promise.resolve(hit.value);
    const running = this.loading.get(key);
    if (running) return running;
    const loading = this.run(load).then(
      (value) => {
        if (this.loading.get(key) === loading) {
          this.loading.delete(key);
          this.set(key, value);
        }
        return value;
      },
      (err: unknown) => {
        if (this.loading.get(key) === loading) this.loading.delete(key);
        throw err;
      },
    );
    this.loading.set(key, loading);
    return loading;
  }

  /** `load()` as a promise even when it throws before returning one. */
  private async run(load: () => Promise<V>): Promise<V> {
    return load();
  }

  delete(key: K): void {
    this.entries.delete(key);
    this.loading.delete(key);
  }

  clear(): void {
    this.entries.clear();
    this.loading.clear();
  }
}
