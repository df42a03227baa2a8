// Child process: the reference for the webhook-flow benchmark. A bare node:http server that does, per request,
// the work the flow describes with nothing around it: parse the JSON body, evaluate the condition (body.x > 10),
// set a variable, render the text, INSERT one queued message row through pg (pool of the API's size) and add one
// BullMQ job (same job options as OrbitDesk's outbound queue, no consumer), then answer.
// argv[2] = DATABASE_URL (table bench_flow_ref_messages must exist), argv[3] = BullMQ prefix for its queue.
import http from 'node:http';
import { apiDep } from './common.mjs';

const pg = (await apiDep('pg')).default;
const { Queue } = await apiDep('bullmq');
const { Redis } = await apiDep('ioredis');

const pool = new pg.Pool({
  connectionString: process.argv[2],
  max: Number(process.env.BENCH_DB_POOL_MAX ?? 20),
});
// A producer connection like OrbitDesk's (createBullConnection 'producer').
const connection = new Redis(process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379', {
  maxRetriesPerRequest: 1,
  commandTimeout: 5_000,
});
const queue = new Queue('bench-ref-outbound', {
  connection,
  prefix: process.argv[3],
  defaultJobOptions: {
    attempts: 5,
    backoff: { type: 'exponential', delay: 1_000 },
    removeOnComplete: { age: 24 * 3600, count: 10_000 },
    removeOnFail: { age: 7 * 24 * 3600 },
  },
});
await queue.waitUntilReady();

async function handle(body) {
  const x = Number(body?.x);
  if (!(x > 10)) return { sent: false };
  const label = `order ${body.id}`;
  const text = `Thanks, ${label}: total ${x}`;
  const {
    rows: [row],
  } = await pool.query(
    `insert into bench_flow_ref_messages (conversation_id, direction, type, content, status)
     values ($1, 'outbound', 'text', $2, 'queued') returning id`,
    [body.conversationId, { text }],
  );
  await queue.add('send', { messageId: row.id }, { jobId: row.id });
  return { sent: true, messageId: row.id };
}

const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    let body;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end('{"error":"body is not JSON"}');
      return;
    }
    handle(body).then(
      (out) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(out));
      },
      (err) => {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: err.message }));
      },
    );
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => process.send({ type: 'ready', port: server.address().port }));

let mark = null;
process.on('message', async (msg) => {
  let result;
  if (msg.cmd === 'phaseStart') {
    mark = process.cpuUsage();
    result = true;
  } else if (msg.cmd === 'phaseEnd') {
    const cpu = process.cpuUsage(mark);
    result = { cpuMs: (cpu.user + cpu.system) / 1000 };
  } else if (msg.cmd === 'stop') {
    server.close();
    await queue.close().catch(() => undefined);
    connection.disconnect();
    await pool.end();
    process.exit(0);
  }
  if (msg.id) process.send({ id: msg.id, result });
});
