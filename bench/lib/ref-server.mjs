// Child process: the reference for the inbound benchmark. A bare node:http server that, per request, parses the
// JSON body and does ONE INSERT through pg (pool of the same size as the API's) into a simple table, then answers.
// argv[2] = DATABASE_URL (the table bench_ref must exist).
// argv[3] = 'tx11' for the diagnostic variant: the same 11 pg round trips the API's pipeline makes (channel
// lookup; BEGIN; set role + tenant; advisory lock; dedup read; contact read; contact insert; row lock; INSERT;
// UPDATE; COMMIT) as raw pg on small tables, with no framework, ORM or socket around them.
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { apiDep, processSyscalls } from './common.mjs';

const pg = (await apiDep('pg')).default;
const pool = new pg.Pool({
  connectionString: process.argv[2],
  max: Number(process.env.BENCH_DB_POOL_MAX ?? 20),
});

const TX11 = process.argv[3] === 'tx11';
async function tx11(body) {
  const pid = body.message.id;
  const ident = body.contact.identifier;
  await pool.query('select id, tenant_id from bench_ref_tenant limit 1');
  const c = await pool.connect();
  try {
    await c.query('begin');
    const {
      rows: [t],
    } = await c.query(
      `select set_config('role', 'orbitdesk_app', true), set_config('app.tenant_id', gen_random_uuid()::text, true)`,
    );
    await c.query('select pg_advisory_xact_lock(hashtextextended($1, 0))', [`inbound:${ident}`]);
    await c.query('select id from bench_ref where provider_id = $1', [pid]);
    await c.query('select id, name from bench_ref_contact where identifier = $1', [ident]);
    await c.query('insert into bench_ref_contact (identifier, name) values ($1, $2) on conflict do nothing', [
      ident,
      body.contact.name ?? null,
    ]);
    await c.query('select id, n from bench_ref_contact where identifier = $1 for update', [ident]);
    const { rows } = await c.query(
      'insert into bench_ref (provider_id, identifier, content) values ($1, $2, $3) on conflict do nothing returning id',
      [pid, ident, body.message.content],
    );
    await c.query('update bench_ref_contact set n = n + 1, last_at = now() where identifier = $1', [ident]);
    await c.query('commit');
    void t;
    return rows;
  } catch (err) {
    await c.query('rollback').catch(() => undefined);
    throw err;
  } finally {
    c.release();
  }
}

const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', async () => {
    try {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      const rows = TX11
        ? await tx11(body)
        : (
            await pool.query(
              'insert into bench_ref (provider_id, identifier, content) values ($1, $2, $3) returning id',
              [body.message.id, body.contact.identifier, body.message.content],
            )
          ).rows;
      const out = JSON.stringify({ id: rows[0].id });
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(out) });
      res.end(out);
    } catch (err) {
      res.writeHead(500).end(String(err.message));
    }
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => process.send({ type: 'ready', port: server.address().port }));

let mark = null;
process.on('message', async (msg) => {
  let result;
  if (msg.cmd === 'phaseStart') {
    mark = {
      elu: performance.eventLoopUtilization(),
      cpu: process.cpuUsage(),
      io: processSyscalls(),
      t: performance.now(),
    };
    result = true;
  } else if (msg.cmd === 'phaseEnd') {
    const cpu = process.cpuUsage(mark.cpu);
    const io = processSyscalls();
    result = {
      elu: performance.eventLoopUtilization(mark.elu).utilization,
      cpuMs: (cpu.user + cpu.system) / 1000,
      systemMs: cpu.system / 1000,
      readCalls: io.syscr - mark.io.syscr,
      writeCalls: io.syscw - mark.io.syscw,
      voluntarySwitches: io.voluntary - mark.io.voluntary,
      involuntarySwitches: io.involuntary - mark.io.involuntary,
      wallMs: performance.now() - mark.t,
      profile: [],
    };
  } else if (msg.cmd === 'stop') {
    server.close();
    server.closeAllConnections();
    await pool.end();
    process.exit(0);
  }
  if (msg.id) process.send({ id: msg.id, result });
});
