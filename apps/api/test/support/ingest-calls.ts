import type { Database } from '../../src/db/database.js';

/** The ingest calls made through the pool while `work` runs: batches (with their items' tenants) and singles. */
export async function recordIngestCalls<T>(database: Database, work: () => Promise<T>) {
  const pool = database.pool;
  const original = pool.query.bind(pool) as (...args: unknown[]) => unknown;
  const calls = { one: 0, batches: [] as { tenant: string }[][] };
  (pool as unknown as { query: unknown }).query = (...args: unknown[]) => {
    // The repository sends them as named query configs: { name, text, values }.
    const { text = '', values } = (args[0] ?? {}) as { text?: string; values?: string[] };
    if (text.includes('inbound_ingest_batch')) {
      calls.batches.push(JSON.parse(values![0]!) as { tenant: string }[]);
    } else if (text.includes('inbound_ingest(')) calls.one++;
    return original(...args);
  };
  try {
    return { result: await work(), calls };
  } finally {
    delete (pool as unknown as { query?: unknown }).query;
  }
}
