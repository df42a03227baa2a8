/**
 * Group commit: calls that arrive while earlier ones are being written are sent together, as one batch, as soon
 * as the earlier batch is done. With nothing in flight a call goes out on the next turn of the event loop, alone,
 * so a quiet system pays no wait; under load each batch carries what queued up during the previous one, so the
 * round trip, the transaction and its WAL flush are paid once per batch instead of once per call.
 *
 * Calls are spread over `lanes` by `laneOf` (say, a hash of the sender): each lane has at most one batch in
 * flight, so batches that run at the same time never share a sender, never wait on each other's locks, and one
 * sender's calls are written in arrival order.
 *
 * `many` stores a batch in one transaction and returns one result per item, in order. If it throws, nothing of
 * the batch was stored (one transaction), and every item is retried alone through `one`, in order, so one bad
 * item fails only its own caller.
 */
export class GroupCommit<I, R> {
  private readonly lanes: Lane<I, R>[];

  constructor(
    private readonly many: (items: I[]) => Promise<R[]>,
    private readonly one: (item: I) => Promise<R>,
    private readonly options: { lanes: number; maxBatch: number; laneOf: (item: I) => string },
  ) {
    this.lanes = Array.from({ length: options.lanes }, () => ({ queue: [], busy: false, scheduled: false }));
  }

  submit(item: I): Promise<R> {
    const lane = this.lanes[hashString(this.options.laneOf(item)) % this.lanes.length]!;
    return new Promise<R>((resolve, reject) => {
      lane.queue.push({ item, resolve, reject });
      this.schedule(lane);
    });
  }

  private schedule(lane: Lane<I, R>): void {
    if (lane.scheduled || lane.busy || !lane.queue.length) return;
    lane.scheduled = true;
    // setImmediate: the requests read in this turn of the event loop join the same batch.
    setImmediate(() => {
      lane.scheduled = false;
      if (!lane.busy && lane.queue.length) void this.send(lane, lane.queue.splice(0, this.options.maxBatch));
    });
  }

  private async send(lane: Lane<I, R>, batch: Pending<I, R>[]): Promise<void> {
    lane.busy = true;
    try {
      let results: R[] | undefined;
      if (batch.length > 1) {
        try {
          results = await this.many(batch.map((b) => b.item));
          if (results.length !== batch.length) results = undefined;
        } catch {
          results = undefined; // rolled back as a whole: each item alone below
        }
      }
      if (results) {
        batch.forEach((b, i) => b.resolve(results[i]!));
      } else {
        for (const b of batch) {
          await this.one(b.item).then(
            (r) => b.resolve(r),
            (e: unknown) => b.reject(e),
          );
        }
      }
    } finally {
      lane.busy = false;
      this.schedule(lane);
    }
  }
}

interface Pending<I, R> {
  item: I;
  resolve: (r: R) => void;
  reject: (e: unknown) => void;
}

interface Lane<I, R> {
  queue: Pending<I, R>[];
  busy: boolean;
  scheduled: boolean;
}

/** FNV-1a: a cheap, stable spread of keys over lanes. */
function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
