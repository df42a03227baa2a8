#!/usr/bin/env node
// Inbox list benchmark: GET /api/v1/conversations (first page, a page ~200 deep by cursor, and with status=open)
// on 100k conversations / 2M messages over 10 tenants. Reference (same run): the same keyset SQL straight through
// pg as the owner (no RLS, no HTTP), and the same SQL inside an RLS transaction exactly as the app opens it.
// Usage: node bench/inbox-list.mjs        (after `npx -y pnpm@10 build`)
// Env: BENCH_REQUESTS (timed requests per scenario, default 400), BENCH_DEEP_PAGES (default 200),
//      BENCH_RESEED=1 (drop and rebuild the data set).
import { performance } from 'node:perf_hooks';
import fs from 'node:fs';
import path from 'node:path';
import {
  apiDep,
  apiDist,
  assertDistFresh,
  dbUrl,
  fmt,
  machine,
  makeClient,
  PG_ADMIN_URL,
  REDIS_URL,
  ROOT,
  startChild,
  summarize,
  table,
} from './lib/common.mjs';

const DB = process.env.BENCH_LIST_DB ?? 'od_bench_inbox_list';
const TENANTS = 10;
const CONVERSATIONS = 100_000;
const MESSAGES_PER_CONVERSATION = 20; // 2M messages
const DATA_VERSION = 1;
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 400);
const WARMUP = 50;
const DEEP_PAGES = Number(process.env.BENCH_DEEP_PAGES ?? 200);
const STATUS_DEEP_PAGES = Math.min(DEEP_PAGES, 100); // 40% are open: 4,000 per tenant = 160 pages
const LIMIT = 25;
const PASSWORD = 'Bench-password-0123';
const TARGET_P99_MS = 20;

assertDistFresh();
const started = Date.now();
const pg = (await apiDep('pg')).default;
const { hash } = await apiDep('@node-rs/argon2');
const { Redis } = await apiDep('ioredis');
const { runMigrations } = await apiDist('db/migrate.js');
const url = dbUrl(DB);

// ---------------------------------------------------------------- data set
async function dataReady() {
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  const { rowCount } = await admin.query('select 1 from pg_database where datname = $1', [DB]);
  await admin.end();
  if (!rowCount) return false;
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const { rows } = await c.query('select version, conversations, messages from bench_meta');
    return rows[0]?.version === DATA_VERSION;
  } catch {
    return false;
  } finally {
    await c.end();
  }
}

async function seed() {
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${DB}`);
  await admin.end();
  console.log(`database ${DB}: migrating…`);
  await runMigrations(url);
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  const step = async (label, sqlText, params) => {
    const t = performance.now();
    const r = await c.query(sqlText, params);
    console.log(`  ${label}: ${r.rowCount ?? ''} (${fmt((performance.now() - t) / 1000, 1)} s)`);
  };
  try {
    // The owner loads the data; FK triggers are skipped (the rows are consistent by construction) and the
    // messages secondary indexes are built once at the end instead of row by row.
    await c.query(`SET session_replication_role = replica`);
    await c.query(`SET maintenance_work_mem = '512MB'`);
    await c.query('BEGIN');
    await step(
      'tenants',
      `insert into tenants (name, slug, status, approved_at)
       select 'List tenant ' || g, 'bench-list-' || g, 'ACTIVE', now() from generate_series(0, ${TENANTS - 1}) g`,
    );
    await step(
      'admins',
      `insert into users (tenant_id, email, name, role, password_hash)
       select id, 'admin-' || substr(slug, 12) || '@list.bench', 'List Admin', 'ADMIN', $1 from tenants`,
      [await hash(PASSWORD)],
    );
    await step(
      'channels',
      `insert into channels (tenant_id, type, name, config)
       select id, 'api', 'Bench inbox', '{"callbackUrl":"https://example.invalid/cb"}' from tenants`,
    );
    await c.query(
      `create temp table tc as
       select g as i, t.tn, t.tenant_id, t.channel_id, gen_random_uuid() as contact_id, gen_random_uuid() as conv_id,
              date_trunc('milliseconds', now() - random() * interval '90 days') as last_at
       from generate_series(0, ${CONVERSATIONS - 1}) g
       join (select (row_number() over (order by t.slug) - 1)::int as tn, t.id as tenant_id, ch.id as channel_id
             from tenants t join channels ch on ch.tenant_id = t.id) t on t.tn = g % ${TENANTS}`,
    );
    await step(
      'contacts',
      `insert into contacts (id, tenant_id, name, phone, created_at)
       select contact_id, tenant_id, 'Contact ' || i, '+1555' || lpad(i::text, 7, '0'), last_at - interval '1 day' from tc`,
    );
    await step(
      'contact identities',
      `insert into contact_identities (tenant_id, contact_id, channel_type, identifier, created_at)
       select tenant_id, contact_id, 'api', 'ext-' || i, last_at - interval '1 day' from tc`,
    );
    // Status mix: 40% open, 20% pending, 35% resolved, 5% snoozed.
    await step(
      'conversations',
      `insert into conversations (id, tenant_id, number, channel_id, contact_id, status, snoozed_until,
         last_message_preview, last_message_at, last_inbound_at, unread_count, waiting_since, created_at, updated_at)
       select conv_id, tenant_id, i / ${TENANTS} + 1, channel_id, contact_id, s.status,
              case when s.status = 'snoozed' then now() + interval '1 day' end,
              'message ${MESSAGES_PER_CONVERSATION} of conversation ' || i, last_at, last_at,
              (i % 4), case when s.status = 'open' then last_at end,
              last_at - interval '${MESSAGES_PER_CONVERSATION * 7} minutes', last_at
       from tc cross join lateral (select case when (i * 7919) % 100 < 40 then 'open'
                                               when (i * 7919) % 100 < 60 then 'pending'
                                               when (i * 7919) % 100 < 95 then 'resolved'
                                               else 'snoozed' end as status) s`,
    );
    await step(
      'tenant sequences',
      `insert into tenant_sequences (tenant_id, name, value)
       select tenant_id, 'conversation', count(*) from tc group by tenant_id`,
    );
    const { rows: idx } = await c.query(
      `select indexname, indexdef from pg_indexes where tablename = 'messages' and indexname <> 'messages_pkey'`,
    );
    for (const { indexname } of idx) await c.query(`drop index ${indexname}`);
    await step(
      'messages',
      `insert into messages (tenant_id, conversation_id, channel_id, direction, type, content, provider_message_id,
         status, sender_type, sender_id, created_at, updated_at)
       select tenant_id, conv_id, channel_id,
              case when k % 2 = 1 then 'in' else 'out' end, 'text',
              jsonb_build_object('text', 'message ' || k || ' of conversation ' || i),
              case when k % 2 = 1 then 'p-' || i || '-' || k end,
              case when k % 2 = 1 then 'received' else 'sent' end,
              case when k % 2 = 1 then 'contact' else 'user' end,
              case when k % 2 = 1 then contact_id::text end,
              last_at - (${MESSAGES_PER_CONVERSATION} - k) * interval '7 minutes',
              last_at - (${MESSAGES_PER_CONVERSATION} - k) * interval '7 minutes'
       from tc cross join generate_series(1, ${MESSAGES_PER_CONVERSATION}) k`,
    );
    for (const { indexname, indexdef } of idx) await step(`index ${indexname}`, indexdef);
    await c.query(
      `create table bench_meta as select ${DATA_VERSION} as version,
         (select count(*) from conversations)::int as conversations, (select count(*) from messages)::int as messages`,
    );
    await c.query('COMMIT');
    await c.query(`SET session_replication_role = origin`);
    const t = performance.now();
    for (const tbl of [
      'tenants',
      'users',
      'channels',
      'contacts',
      'contact_identities',
      'conversations',
      'messages',
    ])
      await c.query(`vacuum (analyze) ${tbl}`);
    console.log(`  vacuum analyze: ${fmt((performance.now() - t) / 1000, 1)} s`);
  } finally {
    await c.end();
  }
}

if (process.env.BENCH_RESEED || !(await dataReady())) {
  console.log(
    `building the data set (${CONVERSATIONS} conversations, ${CONVERSATIONS * MESSAGES_PER_CONVERSATION} messages, ${TENANTS} tenants)…`,
  );
  const t = performance.now();
  await seed();
  console.log(`data set built in ${fmt((performance.now() - t) / 1000, 0)} s`);
} else {
  console.log(`database ${DB} already holds the data set; reusing it (BENCH_RESEED=1 rebuilds)`);
}

// ---------------------------------------------------------------- measure
console.log(`inbox-list bench: ${machine()}`);
const owner = new pg.Pool({ connectionString: url, max: 2 });
const { rows: counts } = await owner.query('select * from bench_meta');
const { rows: tenantRows } = await owner.query(
  `select t.id, u.email from tenants t join users u on u.tenant_id = t.id where t.slug like 'bench-list-%' order by t.slug`,
);
const api = await startChild('./api-server.mjs', [url]);
const redisPrefix = await api.rpc('redisPrefix');
const client = makeClient(api.port, 1);
const explainOut = [];
let exitCode = 0;

try {
  const tenants = [];
  for (const t of tenantRows) {
    const res = await client.request('POST', '/api/v1/auth/login', {
      body: { email: t.email, password: PASSWORD },
    });
    if (res.status !== 200) throw new Error(`login ${t.email}: ${res.status} ${JSON.stringify(res.body)}`);
    tenants.push({ id: t.id, token: res.body.accessToken });
  }

  const get = async (tenant, query) => {
    const res = await client.request('GET', `/api/v1/conversations?${new URLSearchParams(query)}`, {
      headers: { authorization: `Bearer ${tenant.token}` },
    });
    if (res.status !== 200) throw new Error(`GET conversations: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  };

  // Cursors ~DEEP_PAGES pages deep, one per tenant, by walking the list once through the API.
  const walk = async (tenant, pages, extra = {}) => {
    let cursor;
    for (let p = 0; p < pages; p++) {
      const page = await get(tenant, { limit: LIMIT, ...extra, ...(cursor ? { cursor } : {}) });
      if (!page.nextCursor) break;
      cursor = page.nextCursor;
    }
    return cursor;
  };
  const tWalk = performance.now();
  for (const t of tenants) {
    t.deep = await walk(t, DEEP_PAGES);
    t.statusDeep = await walk(t, STATUS_DEEP_PAGES, { status: 'open' });
  }
  console.log(
    `walked ${DEEP_PAGES} (and ${STATUS_DEEP_PAGES} status=open) pages per tenant in ${fmt((performance.now() - tWalk) / 1000, 1)} s`,
  );
  const decode = (cursor) => {
    const [at, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    return { at, id };
  };

  // The reference: the same keyset query straight through pg as the owner (superuser: no RLS), no HTTP.
  const refSql = (status, deep) => {
    const where = ['tenant_id = $1'];
    const params = (t) => {
      const p = [t.id];
      if (status) p.push(status);
      if (deep) {
        const c = decode(status ? t.statusDeep : t.deep);
        p.push(c.at, c.id);
      }
      p.push(LIMIT + 1);
      return p;
    };
    let n = 2;
    if (status) where.push(`status = $${n++}`);
    if (deep) where.push(`(last_message_at, id) < ($${n++}::timestamptz, $${n++}::uuid)`);
    const text = `select * from conversations where ${where.join(' and ')} order by last_message_at desc, id desc limit $${n}`;
    return { text, params };
  };

  const scenarios = [
    { name: 'first page', query: () => ({ limit: LIMIT }), status: null, deep: false },
    {
      name: `deep page (~${DEEP_PAGES} pages in)`,
      query: (t) => ({ limit: LIMIT, cursor: t.deep }),
      status: null,
      deep: true,
    },
    {
      name: 'status=open, first page',
      query: () => ({ limit: LIMIT, status: 'open' }),
      status: 'open',
      deep: false,
    },
    {
      name: `status=open, deep (~${STATUS_DEEP_PAGES} pages in)`,
      query: (t) => ({ limit: LIMIT, status: 'open', cursor: t.statusDeep }),
      status: 'open',
      deep: true,
    },
  ];

  const time = async (n, fn) => {
    for (let i = 0; i < WARMUP; i++) await fn(i);
    const out = [];
    for (let i = 0; i < n; i++) {
      const t0 = performance.now();
      await fn(i);
      out.push(performance.now() - t0);
    }
    return summarize(out);
  };

  const rls = await owner.connect();
  const results = [];
  for (const s of scenarios) {
    // API (HTTP → guard → RLS transaction → query → DTO → JSON), one request at a time, tenants in rotation.
    const apiStats = await time(REQUESTS, (i) =>
      get(tenants[i % tenants.length], s.query(tenants[i % tenants.length])),
    );
    // Direct SQL, owner, no RLS.
    const { text, params } = refSql(s.status, s.deep);
    const refStats = await time(REQUESTS, (i) => owner.query(text, params(tenants[i % tenants.length])));
    // The same SQL as the app runs it: BEGIN; set role + tenant; query (RLS adds the tenant filter); COMMIT.
    const rlsText = text.replace('tenant_id = $1 and ', '').replace('where tenant_id = $1 ', '');
    const renumber = (q) => q.replace(/\$(\d+)/g, (_, d) => `$${Number(d) - 1}`);
    const rlsStats = await time(REQUESTS, async (i) => {
      const t = tenants[i % tenants.length];
      await rls.query('begin');
      await rls.query(
        `select set_config('role', 'orbitdesk_app', true), set_config('app.tenant_id', $1, true)`,
        [t.id],
      );
      await rls.query(renumber(rlsText), params(t).slice(1));
      await rls.query('commit');
    });
    results.push({ scenario: s.name, api: apiStats, ref: refStats, rlsTx: rlsStats });
    console.log(
      `  ${s.name}: API p50 ${fmt(apiStats.p50, 2)} / p99 ${fmt(apiStats.p99, 2)} ms; SQL p50 ${fmt(refStats.p50, 2)} ms`,
    );
  }
  rls.release();

  // EXPLAIN (ANALYZE, BUFFERS) of the exact SQL the API sends, under RLS as the app runs it.
  for (const s of scenarios) {
    const t = tenants[0];
    await api.rpc('capture', 'from "conversations"');
    await get(t, s.query(t));
    const captured = await api.rpc('captured');
    const c = await owner.connect();
    try {
      await c.query('begin');
      await c.query(
        `select set_config('role', 'orbitdesk_app', true), set_config('app.tenant_id', $1, true)`,
        [t.id],
      );
      await c.query(captured.text, captured.values); // warm
      const { rows } = await c.query(`explain (analyze, buffers, verbose) ${captured.text}`, captured.values);
      explainOut.push(
        `### ${s.name} — API query under RLS (role orbitdesk_app, app.tenant_id = ${t.id})\n` +
          `-- ${captured.text}\n-- params: ${JSON.stringify(captured.values)}\n` +
          rows.map((r) => r['QUERY PLAN']).join('\n'),
      );
      await c.query('rollback');
      const ref = refSql(s.status, s.deep);
      const { rows: refRows } = await c.query(`explain (analyze, buffers) ${ref.text}`, ref.params(t));
      explainOut.push(
        `### ${s.name} — reference (owner, no RLS)\n-- ${ref.text}\n` +
          refRows.map((r) => r['QUERY PLAN']).join('\n'),
      );
    } finally {
      c.release();
    }
  }

  // ---------------------------------------------------------------- report
  const rows = results.map((r) => [
    r.scenario,
    `${fmt(r.api.p50, 2)} / ${fmt(r.api.p99, 2)}`,
    r.api.p99 < TARGET_P99_MS ? 'met' : 'MISSED',
    `${fmt(r.rlsTx.p50, 2)} / ${fmt(r.rlsTx.p99, 2)}`,
    `${fmt(r.ref.p50, 2)} / ${fmt(r.ref.p99, 2)}`,
    fmt(r.api.p50 / r.ref.p50, 1) + '×',
    fmt(r.api.p99 / r.ref.p99, 1) + '×',
  ]);
  const report = [
    `data: ${counts[0].conversations} conversations, ${counts[0].messages} messages, ${TENANTS} tenants; ` +
      `${REQUESTS} timed requests per row (after ${WARMUP} warm-up), one at a time, tenants in rotation; limit ${LIMIT}`,
    '',
    table(
      [
        'scenario',
        'API p50 / p99 ms',
        `p99 < ${TARGET_P99_MS} ms`,
        'SQL in RLS tx (4 round trips) p50 / p99',
        'SQL direct, owner p50 / p99',
        'API/SQL p50',
        'API/SQL p99',
      ],
      rows,
    ),
  ].join('\n');
  console.log('\n' + report);
  fs.mkdirSync(path.join(ROOT, 'bench/results'), { recursive: true });
  fs.writeFileSync(path.join(ROOT, 'bench/results/inbox-list-explain.txt'), explainOut.join('\n\n') + '\n');
  fs.writeFileSync(
    path.join(ROOT, 'bench/results/inbox-list.txt'),
    `${new Date().toISOString()}\n${machine()}\n\n${report}\n`,
  );
  fs.writeFileSync(
    path.join(ROOT, 'bench/results/inbox-list.json'),
    JSON.stringify(
      { date: new Date().toISOString(), machine: machine(), counts: counts[0], results },
      null,
      2,
    ),
  );
  console.log(
    `\nwritten bench/results/inbox-list{.txt,.json,-explain.txt}; total ${fmt((Date.now() - started) / 1000, 0)} s`,
  );
} catch (err) {
  console.error(err);
  exitCode = 1;
} finally {
  client.close();
  await api.stop().catch(() => undefined);
  const r = new Redis(REDIS_URL);
  let cursor = '0';
  do {
    const [next, keys] = await r.scan(cursor, 'MATCH', `${redisPrefix}*`, 'COUNT', 1000);
    if (keys.length) await r.del(...keys);
    cursor = next;
  } while (cursor !== '0');
  r.disconnect();
  await owner.end();
  process.exitCode = exitCode;
}
