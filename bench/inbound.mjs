#!/usr/bin/env node
// Inbound pipeline benchmark: POST /api/v1/channels/api/:inboxId/messages → agent's socket receives new_message.
// Reference (same run, same client, same concurrencies): bare node:http + JSON.parse + ONE pg INSERT.
// Usage: node bench/inbound.mjs            (after `npx -y pnpm@10 build`)
// Env: BENCH_N (messages per phase, default 3000), BENCH_WARMUP (default 600), BENCH_CONTACTS (default 300),
//      BENCH_CONCURRENCY (default "10,50"), BENCH_ROUNDS (rounds of reference + API per concurrency, default 3; the
//      verdict is the median), BENCH_PROFILE_N (statement-profile phase, default 1000, 0 = skip), BENCH_VACUUM (0 = no
//      VACUUM (ANALYZE) before each round).
import { performance } from 'node:perf_hooks';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import {
  apiDep,
  apiDist,
  assertDistFresh,
  cpuBusy,
  cpuSample,
  procCpu,
  fmt,
  machine,
  makeClient,
  scratchDatabase,
  REDIS_URL,
  ROOT,
  sleep,
  startChild,
  summarize,
  table,
} from './lib/common.mjs';

const N = Number(process.env.BENCH_N ?? 3000);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 600);
const CONTACTS = Number(process.env.BENCH_CONTACTS ?? 300);
const CONCURRENCY = (process.env.BENCH_CONCURRENCY ?? '10,50').split(',').map(Number);
const PROFILE_N = Number(process.env.BENCH_PROFILE_N ?? 1000);
const ROUNDS = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 3));
const SOCKET_GRACE_MS = 10_000; // after the last HTTP answer, how long to wait for missing socket events
const PHASE_TIMEOUT_MS = 120_000;
const PHASE_CPU_PROF = process.env.BENCH_CPU_PROF === 'phases';
const CPU_PROF_DIR = path.join(ROOT, 'bench/results/cpuprof');

assertDistFresh();
const started = Date.now();
const pg = (await apiDep('pg')).default;
const { hash } = await apiDep('@node-rs/argon2');
const sio = await apiDep('socket.io-client');
const io = sio.io ?? sio.default?.io ?? sio.default;
const { Redis } = await apiDep('ioredis');
const { runMigrations } = await apiDist('db/migrate.js');

const DB = `od_bench_inbound_${process.pid}`;
const { url, cleanups, cleanup } = await scratchDatabase(pg, DB);

try {
  console.log(`inbound bench: ${machine()}`);
  console.log(`database ${DB}: migrating…`);
  await runMigrations(url);

  // Tenant + ACTIVE admin straight into the tables (as the test factories do); everything else goes through HTTP.
  const owner = new pg.Client({ connectionString: url });
  await owner.connect();
  cleanups.push(() => owner.end());
  const password = 'Bench-password-0123';
  const email = `admin-${randomBytes(3).toString('hex')}@bench.test`;
  const {
    rows: [tenant],
  } = await owner.query(
    `insert into tenants (name, slug, status, approved_at) values ('Bench', $1, 'ACTIVE', now()) returning id`,
    [`bench-${randomBytes(3).toString('hex')}`],
  );
  await owner.query(
    `insert into users (tenant_id, email, name, role, password_hash) values ($1, $2, 'Bench Admin', 'ADMIN', $3)`,
    [tenant.id, email, await hash(password)],
  );
  // BENCH_UNDERSTANDING=0: the workspace turns message understanding off (no ai-understanding job per message),
  // to see what that job costs the API.
  if (process.env.BENCH_UNDERSTANDING === '0') {
    await owner.query(
      `insert into ai_settings (tenant_id, provider, model, understanding_enabled) values ($1, 'local', 'orbitdesk-local-1', false)`,
      [tenant.id],
    );
  }
  await owner.query(
    `create table bench_ref (id bigserial primary key, provider_id text not null, identifier text not null,
       content jsonb not null, created_at timestamptz not null default now())`,
  );
  // For the diagnostic 11-round-trip reference only (bench/lib/ref-server.mjs tx11).
  await owner.query(`create unique index on bench_ref (provider_id)`);
  await owner.query(
    `create table bench_ref_contact (id bigserial primary key, identifier text not null unique, name text,
       n int not null default 0, last_at timestamptz)`,
  );
  await owner.query(
    `create table bench_ref_tenant as select gen_random_uuid() as id, gen_random_uuid() as tenant_id`,
  );
  await owner.query(
    `grant select, insert, update on bench_ref, bench_ref_contact, bench_ref_tenant to orbitdesk_app;
     grant usage on all sequences in schema public to orbitdesk_app`,
  );

  console.log('starting the API and the reference server (separate processes)…');
  // BENCH_CPU_PROF=1: V8 CPU profile of the API process, written to bench/results/cpuprof/ when it exits
  // (summarise with `node bench/lib/cpuprof-summary.mjs <file>`).
  // BENCH_CPU_PROF=phases: one profile per measured OrbitDesk phase instead (api-c<conc>-round<n>.cpuprofile).
  const profArgs =
    process.env.BENCH_CPU_PROF && !PHASE_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${CPU_PROF_DIR}`] : [];
  if (PHASE_CPU_PROF) fs.mkdirSync(CPU_PROF_DIR, { recursive: true });
  // BENCH_API_NODE_ARGS: extra Node/V8 flags for the API process (e.g. "--max-semi-space-size=32").
  const apiNodeArgs = (process.env.BENCH_API_NODE_ARGS ?? '').split(/\s+/).filter(Boolean);
  const api = await startChild('./api-server.mjs', [url], {}, [...profArgs, ...apiNodeArgs]);
  cleanups.push(() => api.stop());
  const redisPrefix = await api.rpc('redisPrefix');
  cleanups.push(async () => {
    const r = new Redis(REDIS_URL);
    let cursor = '0';
    do {
      const [next, keys] = await r.scan(cursor, 'MATCH', `${redisPrefix}*`, 'COUNT', 1000);
      if (keys.length) await r.del(...keys);
      cursor = next;
    } while (cursor !== '0');
    r.disconnect();
  });
  const ref = await startChild('./ref-server.mjs', [url]);
  cleanups.push(() => ref.stop());
  const ref11 = await startChild('./ref-server.mjs', [url, 'tx11']);
  cleanups.push(() => ref11.stop());

  const setup = makeClient(api.port, 2);
  const login = await setup.request('POST', '/api/v1/auth/login', { body: { email, password } });
  if (login.status !== 200) throw new Error(`login: ${login.status} ${JSON.stringify(login.body)}`);
  const token = login.body.accessToken;
  const created = await setup.request('POST', '/api/v1/channels', {
    headers: { authorization: `Bearer ${token}` },
    body: { type: 'api', name: 'Bench inbox', config: { callbackUrl: 'https://example.invalid/cb' } },
  });
  if (created.status !== 201)
    throw new Error(`create inbox: ${created.status} ${JSON.stringify(created.body)}`);
  const inboxId = created.body.id;
  const secret = created.body.secret;
  setup.close();

  // The agent: one Socket.IO client on /chat, in the tenant room.
  const arrivals = new Map(); // providerMessageId -> performance.now() at receipt
  let onArrival = null;
  const socket = io(`http://127.0.0.1:${api.port}/chat`, {
    path: '/socket.io',
    auth: { token },
    transports: ['websocket'],
    reconnection: false,
  });
  await new Promise((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('connect_error', reject);
  });
  cleanups.push(async () => socket.close());
  socket.on('new_message', ({ message }) => {
    const t = performance.now();
    arrivals.set(message.providerMessageId, t);
    onArrival?.(message.providerMessageId);
  });
  await sleep(300); // presence update and room join settle

  let seq = 0;
  const payload = (runId, i) => ({
    contact: { identifier: `bench-contact-${i % CONTACTS}`, name: `Contact ${i % CONTACTS}` },
    message: { id: `${runId}-${i}`, type: 'text', content: { text: `hello ${runId}-${i}` } },
  });

  /**
   * Fires `n` POSTs with `concurrency` in flight. For the API, a message is done when both its HTTP answer and
   * its new_message event arrived; latency = POST start → socket receipt. For the reference, HTTP answer only.
   */
  async function phase(target, { n, concurrency, label, viaSocket, profile = false, cpuProfileFile }) {
    const runId = `${label}-${++seq}-${randomBytes(2).toString('hex')}`;
    const client = makeClient(target.port, concurrency);
    const headers = viaSocket ? { 'x-inbox-secret': secret } : {};
    const urlPath = viaSocket ? `/api/v1/channels/api/${inboxId}/messages` : '/messages';
    const starts = new Float64Array(n);
    const httpMs = new Float64Array(n);
    const e2eMs = new Float64Array(n).fill(NaN);
    let pendingSocket = viaSocket ? n : 0;
    let errors = 0;
    let lastDone = 0;
    let allArrived;
    const arrivedAll = new Promise((r) => (allArrived = r));
    if (viaSocket) {
      const prefix = `${runId}-`;
      onArrival = (pid) => {
        if (!pid?.startsWith(prefix)) return;
        const i = Number(pid.slice(prefix.length));
        if (!Number.isNaN(e2eMs[i])) return;
        const t = arrivals.get(pid);
        arrivals.delete(pid);
        e2eMs[i] = t - starts[i];
        if (t > lastDone) lastDone = t;
        if (--pendingSocket === 0) allArrived();
      };
    }
    await target.rpc('phaseStart', { profile, cpuProfileFile });
    const cpu0 = cpuSample();
    const proc0 = procCpu();
    const self0 = process.cpuUsage();
    const t0 = performance.now();
    let next = 0;
    const deadline = t0 + PHASE_TIMEOUT_MS;
    const worker = async () => {
      while (next < n && performance.now() < deadline) {
        const i = next++;
        starts[i] = performance.now();
        try {
          const res = await client.request('POST', urlPath, { body: payload(runId, i), headers });
          if (res.status !== 200) {
            errors++;
            if (errors <= 3)
              console.error(`  ${label}: HTTP ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`);
          }
        } catch (err) {
          errors++;
          if (errors <= 3) console.error(`  ${label}: ${err.message}`);
        }
        const t = performance.now();
        httpMs[i] = t - starts[i];
        if (t > lastDone) lastDone = t;
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    const sent = next;
    if (viaSocket && pendingSocket > n - sent) pendingSocket -= n - sent; // never sent (timeout)
    if (viaSocket && pendingSocket > 0) {
      await Promise.race([arrivedAll, sleep(SOCKET_GRACE_MS)]);
    }
    onArrival = null;
    const cpu1 = cpuSample();
    const proc1 = procCpu();
    const self1 = process.cpuUsage(self0);
    const server = await target.rpc('phaseEnd');
    client.close();
    const wallS = (lastDone - t0) / 1000;
    const lat = viaSocket
      ? [...e2eMs.slice(0, sent)].filter((x) => !Number.isNaN(x))
      : [...httpMs.slice(0, sent)];
    return {
      label,
      concurrency,
      sent,
      errors,
      missingEvents: viaSocket ? sent - lat.length : 0,
      throughput: (sent - errors) / wallS,
      wallS,
      latency: summarize(lat),
      http: summarize([...httpMs.slice(0, sent)]),
      machineCpu: cpuBusy(cpu0, cpu1),
      // CPU milliseconds per message, by process: where the 2 cores went.
      cpuPerMsg: {
        server: server.cpuMs / sent,
        postgres: ((proc1.postgres - proc0.postgres) * 1000) / sent,
        redis: ((proc1.redis - proc0.redis) * 1000) / sent,
        client: (self1.user + self1.system) / 1000 / sent,
      },
      server,
    };
  }

  // What autovacuum does on a default Postgres, done before each round: this machine's Postgres runs with
  // autovacuum off (conf.d/90-ci.conf), so without it the tables are never analyzed (the API's cached plans stay
  // those made for empty tables) and every update's dead rows pile up for the whole run. Applies to the reference's
  // table too. BENCH_VACUUM=0 leaves the tables as they are.
  const autovacuum = (await owner.query('show autovacuum')).rows[0].autovacuum;
  const maintain = async () => {
    if (process.env.BENCH_VACUUM === '0') return;
    await owner.query('vacuum (analyze)');
  };
  console.log(
    `autovacuum ${autovacuum}; ${process.env.BENCH_VACUUM === '0' ? 'no vacuum between rounds (BENCH_VACUUM=0)' : 'VACUUM (ANALYZE) before each round'}`,
  );

  const apiTarget = { ...api, name: 'OrbitDesk' };
  const refTarget = { ...ref, name: 'reference' };
  const ref11Target = { ...ref11, name: 'reference-tx11' };

  // Every target at every concurrency of the run (the first API pass creates the contacts and conversations): with
  // a single warm-up at c=10 the first measured round of the reference ran measurably slower than later ones (its
  // pool's other connections and its JIT were still cold), which biased round 1's ratios upwards.
  console.log(
    `warm-up: ${WARMUP} messages per target and concurrency (creates the ${CONTACTS} contacts and conversations)…`,
  );
  for (const c of [...new Set([10, ...CONCURRENCY])]) {
    await phase(apiTarget, { n: WARMUP, concurrency: c, label: `warm-c${c}`, viaSocket: true });
    await phase(refTarget, { n: WARMUP, concurrency: c, label: `warmref-c${c}`, viaSocket: false });
    await phase(ref11Target, { n: WARMUP, concurrency: c, label: `warmref11-c${c}`, viaSocket: false });
  }

  // BENCH_ROUNDS rounds, each running the reference, the API and the diagnostic back to back at every concurrency,
  // so each ratio compares runs a few seconds apart; the verdict uses the median round (this VM drifts by ±30%).
  const byC = new Map(CONCURRENCY.map((c) => [c, []]));
  for (let round = 1; round <= ROUNDS; round++) {
    await maintain();
    for (const c of CONCURRENCY) {
      const r = await phase(refTarget, { n: N, concurrency: c, label: `ref-c${c}`, viaSocket: false });
      const a = await phase(apiTarget, {
        n: N,
        concurrency: c,
        label: `api-c${c}`,
        viaSocket: true,
        cpuProfileFile: PHASE_CPU_PROF
          ? path.join(CPU_PROF_DIR, `api-c${c}-round${round}.cpuprofile`)
          : undefined,
      });
      const d = await phase(ref11Target, { n: N, concurrency: c, label: `ref11-c${c}`, viaSocket: false });
      byC.get(c).push({ round, c, ref: r, api: a, ref11: d, ratio: a.throughput / r.throughput });
      console.log(
        `  round ${round}, c=${c}: reference ${fmt(r.throughput, 0)} req/s ` +
          `(context switches per req ${fmt(r.server.voluntarySwitches / r.sent, 2)} / ${fmt(r.server.involuntarySwitches / r.sent, 2)}), OrbitDesk ${fmt(a.throughput, 0)} msg/s ` +
          `(ratio ${fmt(a.throughput / r.throughput, 3)}), OrbitDesk p99 ${fmt(a.latency.p99)} ms, ` +
          `its event-loop delay p99 ${fmt(a.server.loopDelayMs.p99, 1)} / max ${fmt(a.server.loopDelayMs.max, 1)} ms, ` +
          `context switches per msg ${fmt(a.server.voluntarySwitches / a.sent, 2)} voluntary / ${fmt(a.server.involuntarySwitches / a.sent, 2)} involuntary, ` +
          `store calls per msg ${fmt(a.server.ingestCalls.batch / a.sent, 3)} batch / ${fmt(a.server.ingestCalls.single / a.sent, 3)} single, ` +
          `GC ${a.server.gc.minor} minor (${fmt(a.server.gc.minorMs, 0)} ms) + ${a.server.gc.major} major (${fmt(a.server.gc.majorMs, 0)} ms)`,
      );
    }
  }
  const median = (xs) => {
    const sorted = [...xs].sort((x, y) => x - y);
    const mid = sorted.length >> 1;
    return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  };
  // The detailed tables show, per concurrency, the round whose ratio is the median (the lower middle one of an even
  // number); the verdict uses the median ratio and the median p99 over all rounds.
  const results = CONCURRENCY.map((c) => {
    const rounds = byC.get(c);
    const byRatio = [...rounds].sort((x, y) => x.ratio - y.ratio);
    return {
      ...byRatio[(byRatio.length - 1) >> 1],
      medianRatio: median(rounds.map((x) => x.ratio)),
      medianP99: median(rounds.map((x) => x.api.latency.p99)),
      rounds,
    };
  });

  let profile = null;
  if (PROFILE_N > 0) {
    console.log(`statement profile: ${PROFILE_N} messages at concurrency 10…`);
    profile = await phase(apiTarget, {
      n: PROFILE_N,
      concurrency: 10,
      label: 'profile',
      viaSocket: true,
      profile: true,
    });
  }

  // ---- report ----
  const rows = [];
  const NAMES = (r, a) => (x) =>
    x === r
      ? 'reference (http + 1 INSERT)'
      : x === a
        ? 'OrbitDesk (POST → new_message)'
        : 'diagnostic: http + 11 raw pg round trips';
  for (const { c, ref: r, api: a, ref11: d } of results) {
    for (const x of [r, a, d]) {
      rows.push([
        NAMES(r, a)(x),
        c,
        x.sent,
        x.errors + (x.missingEvents ? ` / ${x.missingEvents} no event` : ''),
        fmt(x.throughput, 0),
        fmt(x.latency.p50, 2),
        fmt(x.latency.p99, 2),
        fmt(x.latency.max, 1),
        x === a ? `${fmt(a.http.p50, 2)} / ${fmt(a.http.p99, 2)}` : '',
        `${fmt(x.machineCpu * 100, 0)}%`,
        `${fmt(x.server.elu * 100, 0)}% / ${fmt((x.server.cpuMs / x.server.wallMs) * 100, 0)}%`,
        x.server.loopDelayMs
          ? `${fmt(x.server.loopDelayMs.p99, 1)} / ${fmt(x.server.loopDelayMs.max, 1)}`
          : '',
      ]);
    }
  }
  const out = [];
  out.push(
    table(
      [
        'target',
        'conc',
        'msgs',
        'errors',
        'msg/s',
        'p50 ms',
        'p99 ms',
        'max ms',
        'HTTP p50/p99 ms',
        'machine CPU',
        'server ELU / CPU',
        'server loop delay p99/max ms',
      ],
      rows,
    ),
  );
  out.push('');
  const ratioRows = results.map(({ c, medianRatio, medianP99 }) => [
    c,
    fmt(medianRatio, 3),
    medianRatio >= 0.5 ? 'met (≥ 0.5)' : 'MISSED (< 0.5)',
    fmt(medianP99, 1),
    c === 50 ? (medianP99 < 100 ? 'met (< 100 ms)' : 'MISSED (≥ 100 ms)') : '(target at c=50)',
  ]);
  out.push(
    table(
      [
        'target',
        'conc',
        'server CPU ms/msg',
        'postgres CPU ms/msg',
        'redis CPU ms/msg',
        'load-generator CPU ms/msg',
        'server kernel CPU ms/msg',
        'server read / write calls per msg',
      ],
      results.flatMap(({ c, ref: r, api: a, ref11: d }) =>
        [r, a, d].map((x) => [
          x === r ? 'reference' : x === a ? 'OrbitDesk' : 'diagnostic 11 round trips',
          c,
          fmt(x.cpuPerMsg.server, 3),
          fmt(x.cpuPerMsg.postgres, 3),
          fmt(x.cpuPerMsg.redis, 3),
          fmt(x.cpuPerMsg.client, 3),
          fmt(x.server.systemMs / x.sent, 3),
          `${fmt(x.server.readCalls / x.sent, 1)} / ${fmt(x.server.writeCalls / x.sent, 1)}`,
        ]),
      ),
    ),
  );
  out.push('');
  out.push(
    table(
      ['round', 'conc', 'reference req/s', 'OrbitDesk msg/s', 'ratio', 'OrbitDesk p99 ms'],
      results.flatMap(({ rounds }) =>
        rounds.map((x) => [
          x.round,
          x.c,
          fmt(x.ref.throughput, 0),
          fmt(x.api.throughput, 0),
          fmt(x.ratio, 3),
          fmt(x.api.latency.p99, 1),
        ]),
      ),
    ),
  );
  out.push('');
  out.push(
    table(
      [
        'conc',
        `median ratio OrbitDesk/reference (${ROUNDS} rounds)`,
        'target 0.5×',
        'median OrbitDesk p99 ms',
        'target p99',
      ],
      ratioRows,
    ),
  );
  out.push('');
  out.push(
    'Diagnostic: throughput of bare http + the 11 round trips as raw pg, relative to the reference: ' +
      results.map(({ c, ref: r, ref11: d }) => `c=${c} ${fmt(d.throughput / r.throughput, 3)}×`).join(', ') +
      ' (the share of the gap that the number of round trips alone explains).',
  );
  if (profile) {
    const perMsg = profile.server.profile.map((p) => [
      fmt(p.n / profile.sent, 2),
      fmt(p.ms / p.n, 3),
      fmt(p.ms / profile.sent, 3),
      p.sql.replace(/\|/g, '/').slice(0, 110),
    ]);
    const totalQ = profile.server.profile.reduce((a, p) => a + p.n, 0) / profile.sent;
    const totalMs = profile.server.profile.reduce((a, p) => a + p.ms, 0) / profile.sent;
    out.push('');
    out.push(
      `Statement profile (API process, ${profile.sent} messages at c=10, ${fmt(profile.throughput, 0)} msg/s, ` +
        `e2e p50 ${fmt(profile.latency.p50, 2)} ms): ${fmt(totalQ, 1)} pg round trips per message, ` +
        `${fmt(totalMs, 2)} ms of summed statement time per message (call → result, includes pool wait for the first).`,
    );
    out.push(table(['per msg', 'avg ms', 'ms/msg', 'statement'], perMsg));
  }
  const report = out.join('\n');
  console.log('\n' + report);

  fs.mkdirSync(path.join(ROOT, 'bench/results'), { recursive: true });
  fs.writeFileSync(
    path.join(ROOT, 'bench/results/inbound.json'),
    JSON.stringify(
      { date: new Date().toISOString(), machine: machine(), N, WARMUP, CONTACTS, ROUNDS, results, profile },
      null,
      2,
    ),
  );
  fs.writeFileSync(
    path.join(ROOT, 'bench/results/inbound.txt'),
    `${new Date().toISOString()}\n${machine()}\n\n${report}\n`,
  );
  console.log(`\nwritten bench/results/inbound.{txt,json}; total ${fmt((Date.now() - started) / 1000, 0)} s`);
} catch (err) {
  console.error(err);
  process.exitCode = 1;
} finally {
  await cleanup();
}
