#!/usr/bin/env node
// Webhook-triggered flow benchmark: POST /api/v1/webhooks/:token → (flow-run job) → the worker walks
// trigger → condition on {{webhook.body.x}} → set variable → send_message. See bench/README.md.
//
// The webhook trigger binds each run to a contact from the request (trigger.settings.contact: the api inbox and
// `flow-contact-{{webhook.body.i}}`), so send_message sends: row A is measured from the POST to the outbound BullMQ
// job being added, like row B, which runs the same nodes from a manual start (POST /flows/:id/trigger).
// The reference (bench/lib/flow-ref-server.mjs) does the flow's work in bare node:http: parse, condition,
// variable, INSERT a queued message row, add a BullMQ job; latency to its answer.
import { performance } from 'node:perf_hooks';
import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import {
  ROOT,
  apiDep,
  apiDist,
  assertDistFresh,
  cpuBusy,
  cpuSample,
  fmt,
  machine,
  makeClient,
  scratchDatabase,
  procCpu,
  REDIS_URL,
  sleep,
  startChild,
  summarize,
  table,
} from './lib/common.mjs';

const N = Number(process.env.BENCH_N ?? 600);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 100);
const CONCURRENCY = (process.env.BENCH_CONCURRENCY ?? '10,50').split(',').map(Number);
const GRACE_MS = 20_000; // after the last HTTP answer, how long to wait for sessions/jobs still in the worker
const PHASE_TIMEOUT_MS = 120_000;
const now = () => performance.timeOrigin + performance.now(); // epoch ms, comparable with the worker's clock

assertDistFresh();
const started = Date.now();
const pg = (await apiDep('pg')).default;
const { hash } = await apiDep('@node-rs/argon2');
const { Redis } = await apiDep('ioredis');
const { QueueEvents } = await apiDep('bullmq');
const { runMigrations } = await apiDist('db/migrate.js');

const DB = `od_bench_flows_${process.pid}`;
const { url, cleanups, cleanup } = await scratchDatabase(pg, DB);

const pos = (x) => ({ position: { x, y: 0 } });
/** trigger → condition (x > 10) → set variable → send_message; the else port ends the session. */
function flowGraph(left, labelValue, text) {
  return {
    nodes: [
      { id: 'start', type: 'trigger', meta: pos(0), data: {} },
      {
        id: 'check',
        type: 'condition',
        meta: pos(200),
        data: { branches: [{ id: 'big', rules: [{ left, operator: 'greater_than', right: '10' }] }] },
      },
      {
        id: 'label',
        type: 'set_variable',
        meta: pos(400),
        data: { assignments: [{ name: 'label', value: labelValue, type: 'string' }] },
      },
      { id: 'send', type: 'send_message', meta: pos(600), data: { messageType: 'text', text } },
      { id: 'small', type: 'end', meta: pos(400), data: {} },
    ],
    edges: [
      { sourceNodeID: 'start', targetNodeID: 'check' },
      { sourceNodeID: 'check', targetNodeID: 'label', sourcePortID: 'big' },
      { sourceNodeID: 'check', targetNodeID: 'small', sourcePortID: 'else' },
      { sourceNodeID: 'label', targetNodeID: 'send' },
    ],
  };
}

try {
  console.log(`flows-webhook bench: ${machine()}`);
  console.log(`database ${DB}: migrating…`);
  await runMigrations(url);

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
  await owner.query(
    `create table bench_flow_ref_messages (id uuid primary key default gen_random_uuid(),
       conversation_id uuid not null, direction text not null, type text not null, content jsonb not null,
       status text not null, created_at timestamptz not null default now())`,
  );

  console.log('starting the API, the worker and the reference server (separate processes)…');
  const api = await startChild('./api-server.mjs', [url]);
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
  const worker = await startChild('./worker-server.mjs', [url, redisPrefix]);
  cleanups.push(() => worker.stop());
  const ref = await startChild('./flow-ref-server.mjs', [url, `${redisPrefix}refbull`]);
  cleanups.push(() => ref.stop());

  // ---- setup through HTTP: login, an api inbox, N contacts with a conversation each, the two flows ----
  const setup = makeClient(api.port, 10);
  const login = await setup.request('POST', '/api/v1/auth/login', { body: { email, password } });
  if (login.status !== 200) throw new Error(`login: ${login.status} ${JSON.stringify(login.body)}`);
  const auth = { authorization: `Bearer ${login.body.accessToken}` };
  const inbox = await setup.request('POST', '/api/v1/channels', {
    headers: auth,
    body: { type: 'api', name: 'Bench inbox', config: { callbackUrl: 'https://example.invalid/callback' } },
  });
  if (inbox.status !== 201) throw new Error(`create inbox: ${inbox.status} ${JSON.stringify(inbox.body)}`);
  // The API refuses a loopback callback URL, so it is set in the row, before anything caches the inbox: when the
  // worker sends, its SSRF guard fails the message for good at once (no DNS, no network, no retries), so the
  // outbound consumer adds little load after the measured point and nothing leaves 127.0.0.1.
  await owner.query(
    `update channels set config = jsonb_set(config, '{callbackUrl}', '"http://127.0.0.1:9/callback"') where id = $1`,
    [inbox.body.id],
  );
  console.log(`creating ${N} contacts and conversations through the api inbox…`);
  let made = 0;
  await Promise.all(
    Array.from({ length: 10 }, async () => {
      while (made < N) {
        const i = made++;
        const res = await setup.request('POST', `/api/v1/channels/api/${inbox.body.id}/messages`, {
          headers: { 'x-inbox-secret': inbox.body.secret },
          body: {
            contact: { identifier: `flow-contact-${i}`, name: `Contact ${i}` },
            message: { id: `seed-${i}`, type: 'text', content: { text: 'hello' } },
          },
        });
        if (res.status !== 200) throw new Error(`seed message: ${res.status} ${JSON.stringify(res.body)}`);
      }
    }),
  );
  const { rows: contactRows } = await owner.query(
    `select id from contacts where tenant_id = $1 order by created_at, id`,
    [tenant.id],
  );
  const contactIds = contactRows.map((r) => r.id);
  if (contactIds.length < N) throw new Error(`expected ${N} contacts, found ${contactIds.length}`);
  // Webhook request i is bound to the contact whose address is flow-contact-i (the trigger's contact setting).
  const { rows: addressRows } = await owner.query(
    `select contact_id, identifier from contact_identities where tenant_id = $1 and identifier like 'flow-contact-%'`,
    [tenant.id],
  );
  const hookIndex = new Map(
    addressRows.map((r) => [r.contact_id, Number(r.identifier.slice('flow-contact-'.length))]),
  );

  async function createFlow(name, trigger, graph) {
    const created = await setup.request('POST', '/api/v1/flows', {
      headers: auth,
      body: { name, trigger, graph },
    });
    if (created.status !== 201)
      throw new Error(`create flow: ${created.status} ${JSON.stringify(created.body)}`);
    const published = await setup.request('POST', `/api/v1/flows/${created.body.id}/publish`, {
      headers: auth,
    });
    if (published.status >= 300)
      throw new Error(`publish: ${published.status} ${JSON.stringify(published.body)}`);
    const flow = await setup.request('GET', `/api/v1/flows/${created.body.id}`, { headers: auth });
    if (flow.body.status !== 'ACTIVE') throw new Error(`flow ${name} is ${flow.body.status}, not ACTIVE`);
    return flow.body;
  }
  const hookFlow = await createFlow(
    'Bench webhook flow',
    {
      type: 'webhook',
      settings: { contact: { inboxId: inbox.body.id, identifier: 'flow-contact-{{webhook.body.i}}' } },
    },
    flowGraph(
      '{{webhook.body.x}}',
      'order {{webhook.body.id}}',
      'Thanks, {{vars.label}}: total {{webhook.body.x}}',
    ),
  );
  const hookPath = new URL(hookFlow.webhookUrl).pathname;
  const manualFlow = await createFlow(
    'Bench manual flow',
    { type: 'manual', settings: {} },
    flowGraph('{{contact.customFields.x}}', 'order {{contact.name}}', 'Thanks, {{vars.label}}: total 42'),
  );
  // The manual flow's condition reads a custom field, as the webhook flow reads the body.
  await owner.query(`update contacts set custom_fields = '{"x": 42}'::jsonb where tenant_id = $1`, [
    tenant.id,
  ]);
  setup.close();

  // Observes the outbound queue: one 'added' event per queued send (job id = message id).
  const outboundEvents = new QueueEvents('outbound', {
    connection: { host: new URL(REDIS_URL).hostname, port: Number(new URL(REDIS_URL).port || 6379) },
    prefix: `${redisPrefix}bull`,
  });
  await outboundEvents.waitUntilReady();
  cleanups.push(() => outboundEvents.close());
  let onAdded = null;
  outboundEvents.on('added', ({ jobId }) => onAdded?.(jobId, now()));
  // Observes flow-run: a job completes when the worker's walk of its session is over. Concurrency c means c
  // executions in flight (POST → end of the walk), not c HTTP requests: the worker answers nothing, so a load
  // bounded by HTTP answers alone would pile a backlog onto flow-run and measure the queue's length.
  const flowRunEvents = new QueueEvents('flow-run', {
    connection: { host: new URL(REDIS_URL).hostname, port: Number(new URL(REDIS_URL).port || 6379) },
    prefix: `${redisPrefix}bull`,
  });
  await flowRunEvents.waitUntilReady();
  cleanups.push(() => flowRunEvents.close());
  /** Slots waiting for a run to end; a run's end frees the oldest (the runs are alike, so which one is moot). */
  const runWaiters = [];
  let runCredits = 0;
  const runEnded = () => (runWaiters.length ? runWaiters.shift()() : runCredits++);
  flowRunEvents.on('completed', runEnded);
  flowRunEvents.on('failed', runEnded);
  const nextRunEnd = (ms) =>
    runCredits > 0
      ? (runCredits--, Promise.resolve(true))
      : new Promise((resolve) => {
          const waiter = () => (clearTimeout(timer), resolve(true));
          const timer = setTimeout(() => {
            runWaiters.splice(runWaiters.indexOf(waiter), 1);
            resolve(false);
          }, ms);
          runWaiters.push(waiter);
        });

  let seq = 0;
  /**
   * Fires `n` POSTs with `concurrency` in flight at one of the three targets, then waits for their completion
   * signal: the HTTP answer (reference), the session's end (webhook flow), the outbound job added (manual flow).
   */
  async function phase(kind, { n, concurrency, label }) {
    const runId = `${label}-${++seq}-${randomBytes(2).toString('hex')}`;
    const target = kind === 'ref' ? ref : api;
    const client = makeClient(target.port, concurrency);
    const starts = new Float64Array(n);
    const httpMs = new Float64Array(n);
    const doneAt = new Float64Array(n).fill(NaN);
    const request = (i) => {
      if (kind === 'ref')
        return client.request('POST', '/hook', {
          body: { id: `${runId}-${i}`, x: 42, conversationId: randomUUID() },
        });
      if (kind === 'hook')
        return client.request('POST', hookPath, { body: { run: runId, id: `${runId}-${i}`, i, x: 42 } });
      return client.request('POST', `/api/v1/flows/${manualFlow.id}/trigger`, {
        headers: auth,
        body: { contactId: contactIds[i] },
      });
    };
    const added = new Map(); // message id → epoch ms of the 'added' event
    if (kind !== 'ref') onAdded = (jobId, t) => added.set(jobId, t);
    let errors = 0;
    let lostRuns = 0;
    runCredits = 0;
    await Promise.all([api, worker, ref].map((p) => p.rpc('phaseStart')));
    const cpu0 = cpuSample();
    const proc0 = procCpu();
    const t0 = now();
    let next = 0;
    const deadline = t0 + PHASE_TIMEOUT_MS;
    const run = async () => {
      while (next < n && now() < deadline) {
        const i = next++;
        starts[i] = now();
        let accepted = false;
        try {
          const res = await request(i);
          accepted = res.status < 300;
          if (!accepted) {
            errors++;
            if (errors <= 3)
              console.error(`  ${label}: HTTP ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`);
          }
        } catch (err) {
          errors++;
          if (errors <= 3) console.error(`  ${label}: ${err.message}`);
        }
        httpMs[i] = now() - starts[i];
        if (kind === 'ref') doneAt[i] = starts[i] + httpMs[i];
        else if (accepted) {
          // The slot is free again when a run ends (the job was added before the HTTP answer).
          if (!(await nextRunEnd(GRACE_MS))) lostRuns++;
        }
      }
    };
    await Promise.all(Array.from({ length: concurrency }, run));
    const sent = next;
    const outcomes = {};
    // The completion signals of the worker's side, read once the load is over (nothing polls during it).
    if (kind !== 'ref') {
      const end = now() + GRACE_MS;
      while (added.size < sent - errors && now() < end) await sleep(50);
      onAdded = null;
      const { rows } = await owner.query(
        `select m.id, c.contact_id from messages m join conversations c on c.id = m.conversation_id
          where m.id = any($1::uuid[])`,
        [[...added.keys()]],
      );
      const index = kind === 'hook' ? hookIndex : new Map(contactIds.slice(0, n).map((id, i) => [id, i]));
      for (const r of rows) {
        const i = index.get(r.contact_id);
        if (i !== undefined && i < n) doneAt[i] = added.get(r.id);
      }
      outcomes['outbound job added'] = rows.length;
    }
    const cpu1 = cpuSample();
    const proc1 = procCpu();
    const [apiCpu, workerCpu, refCpu] = await Promise.all([api, worker, ref].map((p) => p.rpc('phaseEnd')));
    client.close();
    const lat = [];
    let last = t0;
    for (let i = 0; i < sent; i++) {
      if (Number.isNaN(doneAt[i])) continue;
      lat.push(doneAt[i] - starts[i]);
      if (doneAt[i] > last) last = doneAt[i];
    }
    const perExec = (ms) => ms / Math.max(1, lat.length);
    return {
      kind,
      label,
      concurrency,
      sent,
      errors,
      completed: lat.length,
      missing: sent - errors - lat.length,
      lostRuns,
      outcomes,
      throughput: lat.length / ((last - t0) / 1000),
      latency: summarize(lat),
      http: summarize([...httpMs.slice(0, sent)]),
      machineCpu: cpuBusy(cpu0, cpu1),
      cpuPerExec: {
        api: perExec(apiCpu.cpuMs),
        worker: perExec(workerCpu.cpuMs),
        ref: perExec(refCpu.cpuMs),
        postgres: perExec((proc1.postgres - proc0.postgres) * 1000),
        redis: perExec((proc1.redis - proc0.redis) * 1000),
      },
      workerElu: workerCpu.elu,
    };
  }

  console.log(`warm-up: ${WARMUP} executions each…`);
  await phase('ref', { n: WARMUP, concurrency: 10, label: 'warmref' });
  await phase('hook', { n: WARMUP, concurrency: 10, label: 'warmhook' });
  await phase('manual', { n: WARMUP, concurrency: 10, label: 'warmmanual' });

  const results = [];
  for (const c of CONCURRENCY) {
    // Back to back, so the three see the same machine state.
    const r = await phase('ref', { n: N, concurrency: c, label: `ref-c${c}` });
    const h = await phase('hook', { n: N, concurrency: c, label: `hook-c${c}` });
    const m = await phase('manual', { n: N, concurrency: c, label: `manual-c${c}` });
    results.push({ c, ref: r, hook: h, manual: m });
    console.log(
      `  c=${c}: reference ${fmt(r.throughput, 0)}/s, webhook flow ${fmt(h.throughput, 0)}/s ` +
        `(${fmt(h.throughput / r.throughput, 3)}×, p99 ${fmt(h.latency.p99)} ms), manual flow with send ` +
        `${fmt(m.throughput, 0)}/s (${fmt(m.throughput / r.throughput, 3)}×, p99 ${fmt(m.latency.p99)} ms)`,
    );
  }

  // ---- report ----
  const NAME = {
    ref: 'reference: http + condition + INSERT + BullMQ add',
    hook: 'A webhook flow + send (POST → outbound job added)',
    manual: 'B manual flow + send (POST → outbound job added)',
  };
  const rows = results.flatMap(({ c, ref: r, hook: h, manual: m }) =>
    [r, h, m].map((x) => [
      NAME[x.kind],
      c,
      x.sent,
      `${x.errors}${x.missing ? ` / ${x.missing} missing` : ''}${x.lostRuns ? ` / ${x.lostRuns} slot timeouts` : ''}`,
      fmt(x.throughput, 0),
      fmt(x.throughput / r.throughput, 3),
      fmt(x.latency.p50, 1),
      fmt(x.latency.p99, 1),
      fmt(x.latency.max, 1),
      x.kind === 'ref' ? '' : `${fmt(x.http.p50, 1)} / ${fmt(x.http.p99, 1)}`,
      `${fmt(x.machineCpu * 100, 0)}%`,
    ]),
  );
  const out = [];
  out.push(
    table(
      [
        'target',
        'conc',
        'runs',
        'errors',
        'exec/s',
        '× ref',
        'p50 ms',
        'p99 ms',
        'max ms',
        'HTTP p50/p99 ms',
        'machine CPU',
      ],
      rows,
    ),
  );
  out.push('');
  out.push(
    table(
      [
        'target',
        'conc',
        'API CPU ms/exec',
        'worker CPU ms/exec',
        'ref CPU ms/exec',
        'postgres ms/exec',
        'redis ms/exec',
        'worker ELU',
      ],
      results.flatMap(({ c, ref: r, hook: h, manual: m }) =>
        [r, h, m].map((x) => [
          x.kind,
          c,
          fmt(x.cpuPerExec.api, 3),
          fmt(x.cpuPerExec.worker, 3),
          fmt(x.cpuPerExec.ref, 3),
          fmt(x.cpuPerExec.postgres, 3),
          fmt(x.cpuPerExec.redis, 3),
          x.kind === 'ref' ? '' : `${fmt(x.workerElu * 100, 0)}%`,
        ]),
      ),
    ),
  );
  out.push('');
  out.push('Outcomes (sessions of the webhook flow; queued sends of the manual flow):');
  for (const { c, hook: h, manual: m } of results)
    for (const x of [h, m])
      out.push(
        `  c=${c} ${x.kind}: ${Object.entries(x.outcomes)
          .map(([k, v]) => `${v}× ${k}`)
          .join('; ')}`,
      );
  const report = out.join('\n');
  console.log('\n' + report);

  fs.mkdirSync(path.join(ROOT, 'bench/results'), { recursive: true });
  fs.writeFileSync(
    path.join(ROOT, 'bench/results/flows-webhook.json'),
    JSON.stringify({ date: new Date().toISOString(), machine: machine(), N, WARMUP, results }, null, 2),
  );
  fs.writeFileSync(
    path.join(ROOT, 'bench/results/flows-webhook.txt'),
    `${new Date().toISOString()}\n${machine()}\n\n${report}\n`,
  );
  console.log(
    `\nwritten bench/results/flows-webhook.{txt,json}; total ${fmt((Date.now() - started) / 1000, 0)} s`,
  );
} catch (err) {
  console.error(err);
  process.exitCode = 1;
} finally {
  await cleanup();
}
