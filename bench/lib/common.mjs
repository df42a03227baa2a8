// Shared helpers for the OrbitDesk benchmarks. Plain ESM; resolves the api package's own dependencies
// (pg, socket.io-client, @node-rs/argon2) from apps/api so the benches need nothing installed at the root.
import { createRequire } from 'node:module';
import { fork } from 'node:child_process';
import http from 'node:http';
import os from 'node:os';
import fs from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import path from 'node:path';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const API_DIR = path.join(ROOT, 'apps/api');
export const API_DIST = path.join(API_DIR, 'dist');
const apiRequire = createRequire(path.join(API_DIR, 'package.json'));

/** Imports a dependency of @orbitdesk/api (same module instance the built app uses). */
export async function apiDep(name) {
  return import(pathToFileURL(apiRequire.resolve(name)).href);
}
export const apiDist = (rel) => import(pathToFileURL(path.join(API_DIST, rel)).href);

export const PG_ADMIN_URL = process.env.BENCH_PG_ADMIN_URL ?? 'postgres://root@127.0.0.1:5432/postgres';
export const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
export function dbUrl(name) {
  const u = new URL(PG_ADMIN_URL);
  u.pathname = `/${name}`;
  return u.toString();
}

/**
 * A fresh database for one bench run, dropped again by `cleanup()`, which first runs the `cleanups` the bench
 * registered (newest first: servers and clients before the database). Ctrl-C cleans up too.
 */
export async function scratchDatabase(pg, name) {
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${name}`);
  const cleanups = [];
  async function cleanup() {
    for (const fn of cleanups.reverse()) await fn().catch((e) => console.error('cleanup:', e.message));
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => undefined);
    await admin.end();
  }
  process.on('SIGINT', () => void cleanup().then(() => process.exit(130)));
  return { url: dbUrl(name), cleanups, cleanup };
}

export function assertDistFresh() {
  if (!fs.existsSync(path.join(API_DIST, 'bootstrap.js'))) {
    console.error('apps/api/dist is missing: run `npx -y pnpm@10 build` at the repo root first');
    process.exit(1);
  }
}

/** The same config the tests use (test/support/test-app.ts), with overrides. */
export const BENCH_ENV = {
  NODE_ENV: 'test',
  LOG_LEVEL: 'silent',
  REDIS_URL,
  JWT_SECRET: 'bench-access-secret-0123456789abcdef0123',
  JWT_REFRESH_SECRET: 'bench-refresh-secret-0123456789abcdef012',
  INTERNAL_JWT_SECRET: 'bench-internal-secret-0123456789abcdef01',
  ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64'),
  RATE_LIMIT_MAX: '100000000',
  WEBHOOK_RATE_LIMIT_MAX: '100000000',
  LOGIN_SLOWDOWN_MS: '10',
  API_DOCS: 'false',
};

/**
 * Starts a server script (bench/lib/*-server.mjs) in its own process so the load generator does not share an
 * event loop with the system under test. Resolves with {port, child, rpc(cmd, arg)}.
 */
export function startChild(script, args = [], env = {}, execArgv = []) {
  const child = fork(fileURLToPath(new URL(script, import.meta.url)), args, {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    execArgv,
  });
  let seq = 0;
  const waiting = new Map();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${script} did not start within 60 s`)), 60_000);
    child.on('exit', (code) => reject(new Error(`${script} exited with ${code} before it was ready`)));
    child.on('message', (msg) => {
      if (msg.type === 'ready') {
        clearTimeout(timer);
        resolve({
          port: msg.port,
          child,
          rpc(cmd, arg) {
            const id = ++seq;
            child.send({ id, cmd, arg });
            return new Promise((res) => waiting.set(id, res));
          },
          async stop() {
            child.removeAllListeners('exit');
            const done = new Promise((r) => child.once('exit', r));
            child.send({ cmd: 'stop' });
            const t = setTimeout(() => child.kill('SIGKILL'), 15_000);
            await done;
            clearTimeout(t);
          },
        });
      } else if (msg.id && waiting.has(msg.id)) {
        waiting.get(msg.id)(msg.result);
        waiting.delete(msg.id);
      }
    });
  });
}

/** Keep-alive HTTP client over node:http; one socket per concurrent worker. */
export function makeClient(port, maxSockets) {
  const agent = new http.Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets });
  function request(method, urlPath, { body, headers = {} } = {}) {
    return new Promise((resolve, reject) => {
      const payload = body === undefined ? undefined : JSON.stringify(body);
      const req = http.request(
        {
          host: '127.0.0.1',
          port,
          method,
          path: urlPath,
          agent,
          headers: payload
            ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload), ...headers }
            : headers,
        },
        (res) => {
          const chunks = [];
          res.on('data', (c) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let json;
            try {
              json = text ? JSON.parse(text) : undefined;
            } catch {
              json = text;
            }
            resolve({ status: res.statusCode, body: json });
          });
          res.on('error', reject);
        },
      );
      req.setTimeout(30_000, () => req.destroy(new Error('request timed out after 30 s')));
      req.on('error', reject);
      if (payload) req.write(payload);
      req.end();
    });
  }
  return { request, close: () => agent.destroy() };
}

export function percentile(sorted, p) {
  if (!sorted.length) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i];
}
export function summarize(values) {
  const s = Float64Array.from(values).sort();
  const mean = s.reduce((a, b) => a + b, 0) / (s.length || 1);
  return {
    n: s.length,
    p50: percentile(s, 50),
    p90: percentile(s, 90),
    p99: percentile(s, 99),
    max: s[s.length - 1],
    mean,
  };
}

/** Whole-machine CPU (all cores) from /proc/stat: busy fraction between two samples. */
export function cpuSample() {
  const line = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const idle = line[3] + line[4];
  const total = line.reduce((a, b) => a + b, 0);
  return { idle, total };
}
export function cpuBusy(a, b) {
  const total = b.total - a.total;
  return total > 0 ? 1 - (b.idle - a.idle) / total : 0;
}

export function machine() {
  const cpu =
    fs.readFileSync('/proc/cpuinfo', 'utf8').match(/model name\s*:\s*(.*)/)?.[1] ?? os.cpus()[0]?.model;
  return `${os.cpus().length} cores, ${cpu}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB, node ${process.version}`;
}

export const fmt = (n, d = 1) => (Number.isFinite(n) ? n.toFixed(d) : '-');

export function table(headers, rows) {
  const cells = [headers, ...rows].map((r) => r.map(String));
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => r[i].length)));
  const line = (r) => `| ${r.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  return [
    line(cells[0]),
    `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`,
    ...cells.slice(1).map(line),
  ].join('\n');
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** CPU seconds used so far by processes named postgres / redis-server and their ended children, summed (/proc/<pid>/stat). */
export function procCpu() {
  const out = { postgres: 0, redis: 0 };
  for (const pid of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const key = comm === 'postgres' ? 'postgres' : comm.startsWith('redis-server') ? 'redis' : null;
      if (!key) continue;
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // utime + stime, plus cutime + cstime: the postmaster collects the CPU of the backends it has reaped, so a
      // pooled connection that closes during a phase does not take its CPU out of the sum. Clock ticks (USER_HZ 100).
      out[key] += (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) / 100;
    } catch {
      // the process ended meanwhile
    }
  }
  return out;
}

// Read and write system calls of this process so far (/proc/self/io: syscr, syscw; Linux only).
export function processSyscalls() {
  try {
    const text = fs.readFileSync('/proc/self/io', 'utf8');
    const get = (name) => Number(new RegExp(`^${name}: (\\d+)`, 'm').exec(text)?.[1] ?? NaN);
    // Context switches of all the process's threads: voluntary = it blocked (waited for I/O), involuntary = the
    // scheduler took the core away.
    let voluntary = 0;
    let involuntary = 0;
    for (const task of fs.readdirSync('/proc/self/task')) {
      const status = fs.readFileSync(`/proc/self/task/${task}/status`, 'utf8');
      voluntary += Number(/^voluntary_ctxt_switches:\s+(\d+)/m.exec(status)?.[1] ?? 0);
      involuntary += Number(/^nonvoluntary_ctxt_switches:\s+(\d+)/m.exec(status)?.[1] ?? 0);
    }
    return { syscr: get('syscr'), syscw: get('syscw'), voluntary, involuntary };
  } catch {
    return { syscr: NaN, syscw: NaN, voluntary: NaN, involuntary: NaN };
  }
}
