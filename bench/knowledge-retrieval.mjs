#!/usr/bin/env node
// Vector side of knowledge retrieval: usearch HNSW (what the API and worker keep per knowledge base, see
// apps/api/src/modules/knowledge/knowledge-vector-indexes.ts) against the exact answer, a brute-force cosine scan of
// every stored vector with Float32Array dot products (how the original design ranked entries).
//
// Data: BENCH_N (100,000) unit vectors of 384 dimensions in BENCH_CLUSTERS (2,000) clusters grouped in BENCH_TOPICS
// (50) topics — text embeddings are clustered by topic, and uniform random vectors would make every neighbour
// equally far — plus BENCH_QUERIES (500) queries drawn the same way but not stored. Seeded, so every run sees the same data.
// Measured per query (one thread, as a request does): latency p50/p99 of the scan and of usearch for a few HNSW
// settings, and recall@10 of usearch against the scan's exact top 10. The app's setting is marked with *.
//
// Usage: node bench/knowledge-retrieval.mjs            (~2 min; no database, no build needed)
// Env: BENCH_N, BENCH_QUERIES, BENCH_TOPICS, BENCH_CLUSTERS, BENCH_DIMS, BENCH_SPREAD (noise/centre ratio, 1.0).
// Output: bench/results/knowledge-retrieval.txt and .json
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { apiDep, percentile, ROOT } from './lib/common.mjs';

const N = Number(process.env.BENCH_N ?? 100_000);
const Q = Number(process.env.BENCH_QUERIES ?? 500);
const CLUSTERS = Number(process.env.BENCH_CLUSTERS ?? 2_000);
const D = Number(process.env.BENCH_DIMS ?? 384);
const TOPICS = Number(process.env.BENCH_TOPICS ?? 50);
const SPREAD = Number(process.env.BENCH_SPREAD ?? 1.0);
const K = 10;

/** The p-th percentile of unsorted timings. */
const pct = (values, p) => percentile(Float64Array.from(values).sort(), p);

/** The app's setting (knowledge-vector-indexes.ts), then a few around it. */
const SETTINGS = [
  { connectivity: 16, expansionAdd: 128, expansionSearch: 96, app: true },
  { connectivity: 16, expansionAdd: 128, expansionSearch: 32 },
  { connectivity: 16, expansionAdd: 128, expansionSearch: 64 },
  { connectivity: 16, expansionAdd: 64, expansionSearch: 96 },
  { connectivity: 32, expansionAdd: 128, expansionSearch: 64 },
];

const usearchModule = await apiDep('usearch');
const { Index, MetricKind, ScalarKind } = usearchModule.Index ? usearchModule : usearchModule.default;

// ---- data -------------------------------------------------------------------------------------------------

/** mulberry32: small, fast, seeded. */
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = rng(20261121);
function gaussian() {
  const u = random() || 1e-12;
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}
function normalize(v, offset = 0) {
  let s = 0;
  for (let i = 0; i < D; i++) s += v[offset + i] * v[offset + i];
  const inv = 1 / Math.sqrt(s);
  for (let i = 0; i < D; i++) v[offset + i] *= inv;
}
/** A unit vector near a random centre: centre + SPREAD × a random unit direction, normalised. */
function sample(centres, out, offset) {
  const c = Math.floor(random() * CLUSTERS) * D;
  const noise = new Float32Array(D);
  for (let i = 0; i < D; i++) noise[i] = gaussian();
  normalize(noise);
  for (let i = 0; i < D; i++) out[offset + i] = centres[c + i] + SPREAD * noise[i];
  normalize(out, offset);
}

const t0 = performance.now();
// Two levels, like topics and the subjects within them: cluster centres sit around topic centres, so clusters of
// one topic are near each other and the nearest neighbours of a query straddle several clusters.
const topics = new Float32Array(TOPICS * D);
for (let i = 0; i < topics.length; i++) topics[i] = gaussian();
for (let t = 0; t < TOPICS; t++) normalize(topics, t * D);
const centres = new Float32Array(CLUSTERS * D);
for (let c = 0; c < CLUSTERS; c++) {
  const t = Math.floor(random() * TOPICS) * D;
  const noise = new Float32Array(D);
  for (let i = 0; i < D; i++) noise[i] = gaussian();
  normalize(noise);
  for (let i = 0; i < D; i++) centres[c * D + i] = topics[t + i] + 0.8 * noise[i];
  normalize(centres, c * D);
}
const data = new Float32Array(N * D);
for (let n = 0; n < N; n++) sample(centres, data, n * D);
const queries = new Float32Array(Q * D);
for (let q = 0; q < Q; q++) sample(centres, queries, q * D);
const genMs = performance.now() - t0;
/** Progress on stderr, so a slow phase on a busy machine is visible. */
const log = (msg) => process.stderr.write(`[${((performance.now() - t0) / 1000).toFixed(1)} s] ${msg}\n`);
log(`data generated`);

// ---- exact: brute-force cosine (dot products of unit vectors) ---------------------------------------------

/** Top K keys by dot product over every stored vector, kept in a small sorted array. */
function bruteForce(query) {
  const keys = new Int32Array(K).fill(-1);
  const scores = new Float32Array(K).fill(-Infinity);
  for (let n = 0, off = 0; n < N; n++, off += D) {
    let s = 0;
    for (let i = 0; i < D; i++) s += data[off + i] * query[i];
    if (s <= scores[K - 1]) continue;
    let j = K - 1;
    while (j > 0 && scores[j - 1] < s) {
      scores[j] = scores[j - 1];
      keys[j] = keys[j - 1];
      j--;
    }
    scores[j] = s;
    keys[j] = n;
  }
  return keys;
}

const ms = (start) => Number(process.hrtime.bigint() - start) / 1e6;
const exact = [];
const scanTimes = [];
for (let q = 0; q < Q; q++) {
  const query = queries.subarray(q * D, (q + 1) * D);
  const start = process.hrtime.bigint();
  exact.push(bruteForce(query));
  scanTimes.push(ms(start));
}
const scan = { p50: pct(scanTimes, 50), p99: pct(scanTimes, 99) };
log(`exact scan done: p50 ${scan.p50.toFixed(2)} ms`);

// ---- usearch ----------------------------------------------------------------------------------------------

const keys = BigUint64Array.from({ length: N }, (_, i) => BigInt(i));
const rows = [];
for (const s of SETTINGS) {
  const index = new Index({
    dimensions: D,
    metric: MetricKind.Cos,
    quantization: ScalarKind.F32,
    connectivity: s.connectivity,
    expansion_add: s.expansionAdd,
    expansion_search: s.expansionSearch,
    multi: false,
  });
  const buildStart = process.hrtime.bigint();
  index.add(keys, data);
  const buildMs = ms(buildStart);
  log(`built M=${s.connectivity} ef=${s.expansionSearch} in ${(buildMs / 1000).toFixed(1)} s`);
  const times = [];
  let found = 0;
  // Warm-up: the first searches page the graph into cache.
  for (let q = 0; q < Math.min(50, Q); q++) index.search(queries.subarray(q * D, (q + 1) * D), K, 1);
  for (let q = 0; q < Q; q++) {
    const query = queries.subarray(q * D, (q + 1) * D);
    const start = process.hrtime.bigint();
    const res = index.search(query, K, 1);
    times.push(ms(start));
    const truth = new Set(exact[q]);
    for (const key of res.keys) if (truth.has(Number(key))) found++;
  }
  const p50 = pct(times, 50);
  const p99 = pct(times, 99);
  rows.push({
    ...s,
    buildMs,
    p50,
    p99,
    recall: found / (Q * K),
    speedupP50: scan.p50 / p50,
    speedupP99: scan.p99 / p99,
  });
  if (global.gc) global.gc();
}

// ---- report -----------------------------------------------------------------------------------------------

const fmt = (n, d = 2) => n.toFixed(d);
const lines = [];
lines.push(
  `knowledge retrieval, vector side — ${new Date().toISOString()} — node ${process.version}, ` +
    `${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? '?'})`,
);
lines.push(
  `data: ${N} vectors × ${D} dims in ${CLUSTERS} clusters of ${TOPICS} topics (spread ${SPREAD}), ${Q} queries, k=${K}; ` +
    `generated in ${fmt(genMs / 1000, 1)} s`,
);
lines.push('');
lines.push(
  '| method                                    | build s | p50 ms | p99 ms | recall@10 | p50 speedup | p99 speedup |',
);
lines.push(
  '| ----------------------------------------- | ------: | -----: | -----: | --------: | ----------: | ----------: |',
);
lines.push(
  `| brute-force cosine scan (exact)           |       – | ${fmt(scan.p50).padStart(6)} | ${fmt(scan.p99).padStart(6)} |     1.000 |       1.0× |       1.0× |`,
);
for (const r of rows) {
  const name = `usearch M=${r.connectivity} efC=${r.expansionAdd} ef=${r.expansionSearch}${r.app ? ' *' : ''}`;
  lines.push(
    `| ${name.padEnd(41)} | ${fmt(r.buildMs / 1000, 1).padStart(7)} | ${fmt(r.p50, 3).padStart(6)} | ${fmt(r.p99, 3).padStart(6)} | ${fmt(r.recall, 3).padStart(9)} | ${(fmt(r.speedupP50, 0) + '×').padStart(11)} | ${(fmt(r.speedupP99, 0) + '×').padStart(11)} |`,
  );
}
const app = rows.find((r) => r.app);
lines.push('');
lines.push(
  `app setting (*): recall@10 ${fmt(app.recall, 3)} (target ≥ 0.95: ${app.recall >= 0.95 ? 'met' : 'NOT met'}), ` +
    `p50 ${fmt(app.speedupP50, 0)}× faster than the scan (target ≥ 20×: ${app.speedupP50 >= 20 ? 'met' : 'NOT met'})`,
);
const out = lines.join('\n');
console.log(out);

const dir = path.join(ROOT, 'bench/results');
mkdirSync(dir, { recursive: true });
writeFileSync(path.join(dir, 'knowledge-retrieval.txt'), `${out}\n`);
writeFileSync(
  path.join(dir, 'knowledge-retrieval.json'),
  `${JSON.stringify({ at: new Date().toISOString(), N, D, Q, TOPICS, CLUSTERS, SPREAD, K, genMs, scan, rows }, null, 2)}\n`,
);
