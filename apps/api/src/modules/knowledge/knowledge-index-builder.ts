import { randomUUID } from 'node:crypto';
import { unlink } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { Index, MetricKind, ScalarKind } from 'usearch';

/** How a base's HNSW index is made (parameters chosen in bench/knowledge-retrieval.mjs, see the indexes). */
export interface HnswOptions {
  dimensions: number;
  connectivity: number;
  expansionAdd: number;
  expansionSearch: number;
}

/** usearch's own settings for an index: plain data, so the worker thread is handed the very same. */
function indexSettings(o: HnswOptions) {
  return {
    dimensions: o.dimensions,
    metric: MetricKind.Cos,
    quantization: ScalarKind.F32,
    connectivity: o.connectivity,
    expansion_add: o.expansionAdd,
    expansion_search: o.expansionSearch,
    multi: false,
  };
}

export function newIndex(o: HnswOptions): Index {
  return new Index(indexSettings(o));
}

/**
 * The worker's side, run as a CommonJS script (an `eval` worker: nothing to build or resolve at run time but
 * usearch itself, whose path the parent passes). It creates the index (or loads the one the parent saved), adds
 * every page of vectors it is sent, and at `save` writes the index to the file and says so.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { Index } = require(workerData.usearch);
const index = new Index(workerData.settings);
if (workerData.from) index.load(workerData.from);
parentPort.on('message', (m) => {
  if (m.keys) {
    index.add(m.keys, m.vectors);
  } else if (m.save) {
    index.save(m.save);
    parentPort.postMessage({ saved: index.size() });
  }
});
`;

const usearchPath = createRequire(import.meta.url).resolve('usearch');

/**
 * Grows an HNSW index in a worker thread. Adding is CPU-bound native code that blocks its thread for as long as it
 * runs (about 0.2–0.9 ms per vector on 2 cores: 20 s for a base of 100k chunks), so an index built on the main
 * thread would stall every request of the process meanwhile. The worker receives the vectors page by page
 * (transferred, not copied) while the caller reads the next page, then saves the index to a temporary file,
 * which the main thread loads (~50 ms for 20k vectors) and deletes.
 */
export class IndexBuild {
  private readonly worker: Worker;
  private readonly failed: Promise<never>;
  private readonly fromFile?: string;

  /** `from`: an index to start from (saved for the worker to load), instead of an empty one. */
  constructor(
    private readonly options: HnswOptions,
    from?: Index,
  ) {
    if (from) {
      this.fromFile = tempFile();
      from.save(this.fromFile);
    }
    this.worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { usearch: usearchPath, settings: indexSettings(options), from: this.fromFile },
    });
    this.failed = new Promise<never>((_, reject) => {
      this.worker.once('error', reject);
      this.worker.once('exit', (code) => reject(new Error(`index build worker exited (code ${code})`)));
    });
    // Observed only through finish(); an add() that outlives a failed worker must not be an unhandled rejection.
    this.failed.catch(() => undefined);
  }

  /** Hands a page of vectors to the worker; `vectors` holds keys.length × dimensions values, and is given up. */
  add(keys: BigUint64Array, vectors: Float32Array): void {
    this.worker.postMessage({ keys, vectors }, [keys.buffer as ArrayBuffer, vectors.buffer as ArrayBuffer]);
  }

  /** The index with everything added, loaded on this thread. */
  async finish(): Promise<Index> {
    const file = tempFile();
    try {
      const saved = new Promise<void>((resolve) => this.worker.once('message', () => resolve()));
      this.worker.postMessage({ save: file });
      await Promise.race([saved, this.failed]);
      const index = newIndex(this.options);
      index.load(file);
      return index;
    } finally {
      await this.cancel();
      await unlink(file).catch(() => undefined);
    }
  }

  /** Stops the worker and removes its files (a build given up). */
  async cancel(): Promise<void> {
    await this.worker.terminate();
    if (this.fromFile) await unlink(this.fromFile).catch(() => undefined);
  }
}

function tempFile(): string {
  return path.join(tmpdir(), `orbitdesk-kb-${process.pid}-${randomUUID()}.usearch`);
}
