// Child process: the real OrbitDesk API (createApp from apps/api/dist) on 127.0.0.1:<random port>.
// argv[2] = DATABASE_URL. Talks to the parent over IPC: phase marks (event-loop utilisation, CPU time) and an
// optional per-statement profile of every pg query the app runs.
import { monitorEventLoopDelay, performance, PerformanceObserver } from 'node:perf_hooks';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import inspector from 'node:inspector/promises';
import { apiDep, apiDist, BENCH_ENV, processSyscalls } from './common.mjs';

const databaseUrl = process.argv[2];
const pg = (await apiDep('pg')).default;
const { createApp } = await apiDist('bootstrap.js');
const { loadConfig } = await apiDist('config/app-config.js');

// ---- pg statement profiler (off unless the parent turns it on) ----
let profiling = false;
let capture = null; // { pattern: RegExp, last: {text, values} }
const stats = new Map();
const normalize = (text) => text.replace(/\s+/g, ' ').replace(/\$\d+/g, '$').slice(0, 160);
const origQuery = pg.Client.prototype.query;
// Inbound store calls per phase (always counted: a regex test per query): messages per group-commit batch.
const ingestCalls = { batch: 0, single: 0 };
pg.Client.prototype.query = function (config, values, cb) {
  const text = typeof config === 'string' ? config : config?.text;
  if (text?.includes('inbound_ingest')) ingestCalls[text.includes('inbound_ingest(') ? 'single' : 'batch']++;
  if (capture && text && capture.pattern.test(text)) {
    capture.last = { text, values: Array.isArray(values) ? values : config?.values };
  }
  if (!profiling || !text) return origQuery.call(this, config, values, cb);
  const t0 = performance.now();
  const key = normalize(text);
  const record = () => {
    const s = stats.get(key) ?? { n: 0, ms: 0 };
    s.n++;
    s.ms += performance.now() - t0;
    stats.set(key, s);
  };
  // pg.Pool#query uses the callback form; drizzle's transactions use the promise form.
  if (typeof cb === 'function') {
    return origQuery.call(this, config, values, (err, res) => (record(), cb(err, res)));
  }
  if (typeof values === 'function') {
    return origQuery.call(this, config, (err, res) => (record(), values(err, res)));
  }
  const result = origQuery.call(this, config, values, cb);
  if (result && typeof result.then === 'function') result.then(record, () => undefined);
  return result;
};

const config = loadConfig({
  ...BENCH_ENV,
  DATABASE_URL: databaseUrl,
  REDIS_KEY_PREFIX: `odbench:${randomBytes(4).toString('hex')}:`,
  DB_POOL_MAX: process.env.BENCH_DB_POOL_MAX ?? '20',
  // Tuning knobs of the inbound path, passed through when set (INBOUND_BATCH_LANES, INBOUND_BATCH_MAX).
  ...Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith('INBOUND_'))),
});
const app = await createApp(config);
await app.listen(0, '127.0.0.1');
const port = app.getHttpServer().address().port;

// A V8 CPU profile of one phase (BENCH_CPU_PROF=phases): started at phaseStart, written at phaseEnd.
let inspectorSession = null;
let cpuProfileFile = null;

// Event-loop delay during a phase: how long a ready callback waited (a long task or GC pause shows in its max).
const loopDelay = monitorEventLoopDelay({ resolution: 1 });
loopDelay.enable();
// Garbage collection during a phase: pauses by kind (minor = scavenges of the young generation, major = mark-sweep).
const gc = { minor: 0, minorMs: 0, major: 0, majorMs: 0 };
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    const minor = e.detail?.kind === 1; // NODE_PERFORMANCE_GC_MINOR
    gc[minor ? 'minor' : 'major']++;
    gc[minor ? 'minorMs' : 'majorMs'] += e.duration;
  }
}).observe({ entryTypes: ['gc'] });

let mark = null;
process.on('message', async (msg) => {
  let result;
  switch (msg.cmd) {
    case 'phaseStart':
      mark = {
        elu: performance.eventLoopUtilization(),
        cpu: process.cpuUsage(),
        io: processSyscalls(),
        t: performance.now(),
      };
      stats.clear();
      loopDelay.reset();
      Object.assign(gc, { minor: 0, minorMs: 0, major: 0, majorMs: 0 });
      Object.assign(ingestCalls, { batch: 0, single: 0 });
      profiling = Boolean(msg.arg?.profile);
      cpuProfileFile = msg.arg?.cpuProfileFile ?? null;
      if (cpuProfileFile) {
        inspectorSession ??= new inspector.Session();
        inspectorSession.connect();
        await inspectorSession.post('Profiler.enable');
        await inspectorSession.post('Profiler.start');
      }
      result = true;
      break;
    case 'phaseEnd': {
      const elu = performance.eventLoopUtilization(mark.elu).utilization;
      const cpu = process.cpuUsage(mark.cpu);
      const wallMs = performance.now() - mark.t;
      const io = processSyscalls();
      result = {
        elu,
        cpuMs: (cpu.user + cpu.system) / 1000,
        systemMs: cpu.system / 1000,
        readCalls: io.syscr - mark.io.syscr,
        writeCalls: io.syscw - mark.io.syscw,
        voluntarySwitches: io.voluntary - mark.io.voluntary,
        involuntarySwitches: io.involuntary - mark.io.involuntary,
        wallMs,
        gc: { ...gc },
        ingestCalls: { ...ingestCalls },
        loopDelayMs: { p99: loopDelay.percentile(99) / 1e6, max: loopDelay.max / 1e6 },
        profile: [...stats.entries()].map(([sql, s]) => ({ sql, ...s })).sort((a, b) => b.ms - a.ms),
      };
      profiling = false;
      if (cpuProfileFile) {
        const { profile } = await inspectorSession.post('Profiler.stop');
        fs.writeFileSync(cpuProfileFile, JSON.stringify(profile));
        inspectorSession.disconnect();
        cpuProfileFile = null;
      }
      break;
    }
    case 'capture':
      capture = { pattern: new RegExp(msg.arg, 'i'), last: null };
      result = true;
      break;
    case 'captured':
      result = capture?.last ?? null;
      capture = null;
      break;
    case 'redisPrefix':
      result = config.REDIS_KEY_PREFIX;
      break;
    case 'stop':
      try {
        await app.close();
      } finally {
        process.exit(0);
      }
  }
  if (msg.id) process.send({ id: msg.id, result });
});
process.send({ type: 'ready', port });
