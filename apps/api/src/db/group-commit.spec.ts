import { describe, expect, it } from 'vitest';
import { GroupCommit } from './group-commit.js';

interface Item {
  key: string;
  n: number;
}

/** A store whose batches finish when the test says so, recording what was sent and how. */
function harness(options: { lanes?: number; maxBatch?: number; failIf?: (batch: Item[]) => boolean } = {}) {
  const batches: Item[][] = [];
  const singles: Item[] = [];
  const open: (() => void)[] = [];
  const group = new GroupCommit<Item, string>(
    async (items) => {
      batches.push(items);
      await new Promise<void>((resolve) => open.push(resolve));
      if (options.failIf?.(items)) throw new Error('batch rolled back');
      return items.map((i) => `batch:${i.n}`);
    },
    (item) => {
      singles.push(item);
      return item.key === 'bad'
        ? Promise.reject(new Error(`item ${item.n} refused`))
        : Promise.resolve(`one:${item.n}`);
    },
    { lanes: options.lanes ?? 1, maxBatch: options.maxBatch ?? 100, laneOf: (i) => i.key },
  );
  const turn = () => new Promise((r) => setImmediate(r));
  const release = async () => {
    while (open.length) open.shift()!();
    // One turn for the finished batch to settle, one for the next batch to go out.
    await turn();
    await turn();
  };
  return { group, batches, singles, open, turn, release };
}

describe('GroupCommit', () => {
  it('sends a lone call alone, at once, without a batch', async () => {
    const h = harness();
    const result = await h.group.submit({ key: 'a', n: 1 });
    expect(result).toBe('one:1');
    expect(h.batches).toEqual([]);
  });

  it('sends the calls of one turn together, and answers each caller with its own result', async () => {
    const h = harness();
    const pending = [1, 2, 3].map((n) => h.group.submit({ key: `k${n}`, n }));
    await h.turn();
    expect(h.batches.map((b) => b.map((i) => i.n))).toEqual([[1, 2, 3]]);
    await h.release();
    expect(await Promise.all(pending)).toEqual(['batch:1', 'batch:2', 'batch:3']);
  });

  it('queues what arrives while a batch is in flight and sends it as the next batch, up to maxBatch', async () => {
    const h = harness({ maxBatch: 3 });
    const first = [1, 2].map((n) => h.group.submit({ key: 'x', n }));
    await h.turn();
    const later = [3, 4, 5, 6, 7].map((n) => h.group.submit({ key: 'x', n }));
    await h.turn();
    // Nothing more goes out while the lane is busy.
    expect(h.batches).toHaveLength(1);
    await h.release();
    expect(h.batches.map((b) => b.map((i) => i.n))).toEqual([
      [1, 2],
      [3, 4, 5],
    ]);
    await h.release();
    expect(h.batches.map((b) => b.map((i) => i.n))).toEqual([
      [1, 2],
      [3, 4, 5],
      [6, 7],
    ]);
    await h.release();
    expect(await Promise.all([...first, ...later])).toEqual([
      'batch:1',
      'batch:2',
      'batch:3',
      'batch:4',
      'batch:5',
      'batch:6',
      'batch:7',
    ]);
  });

  it('retries a failed batch item by item, in order, so only the bad item fails', async () => {
    const h = harness({ failIf: (batch) => batch.some((i) => i.key === 'bad') });
    const pending = [
      h.group.submit({ key: 'ok', n: 1 }),
      h.group.submit({ key: 'bad', n: 2 }),
      h.group.submit({ key: 'ok', n: 3 }),
    ].map((p) =>
      p.then(
        (v) => v,
        (e: Error) => `rejected: ${e.message}`,
      ),
    );
    await h.turn();
    await h.release();
    expect(await Promise.all(pending)).toEqual(['one:1', 'rejected: item 2 refused', 'one:3']);
    expect(h.singles.map((i) => i.n)).toEqual([1, 2, 3]);
  });

  it('keeps one key on one lane: its calls never run in two batches at once; other lanes do', async () => {
    const h = harness({ lanes: 8 });
    // Find two keys on different lanes by trying: submit one, see whether a second runs beside it.
    void h.group.submit({ key: 'same', n: 1 });
    void h.group.submit({ key: 'same', n: 2 });
    await h.turn();
    expect(h.batches).toHaveLength(1);
    void h.group.submit({ key: 'same', n: 3 });
    await h.turn();
    expect(h.batches).toHaveLength(1); // n=3 waits for its lane

    let other = 0;
    for (let k = 0; k < 20 && h.batches.length === 1; k++) {
      void h.group.submit({ key: `other-${k}`, n: 100 + k });
      void h.group.submit({ key: `other-${k}`, n: 200 + k });
      other = k;
      await h.turn();
    }
    // Some other key hashes to another lane, whose batch goes out while the first lane is still busy.
    expect(h.batches.length).toBeGreaterThan(1);
    expect(h.batches[1]!.every((i) => i.key === `other-${other}` || i.key.startsWith('other-'))).toBe(true);
    while (h.open.length) await h.release();
  });
});
