// Child process: the real OrbitDesk worker (startWorker from apps/api/dist): flow-run, flow-resume, outbound and
// the other BullMQ consumers, exactly as `node dist/worker.js` runs them, but with the API child's Redis key
// prefix so both processes share the same queues. argv[2] = DATABASE_URL, argv[3] = REDIS_KEY_PREFIX.
// IPC like api-server.mjs: phase marks (event-loop utilisation, CPU time) and stop.
import { performance } from 'node:perf_hooks';
import { apiDist, BENCH_ENV } from './common.mjs';

const [databaseUrl, redisKeyPrefix] = process.argv.slice(2);
const { startWorker } = await apiDist('worker.js');
const { loadConfig } = await apiDist('config/app-config.js');

const config = loadConfig({
  ...BENCH_ENV,
  DATABASE_URL: databaseUrl,
  REDIS_KEY_PREFIX: redisKeyPrefix,
  DB_POOL_MAX: process.env.BENCH_DB_POOL_MAX ?? '20',
});
const worker = await startWorker(config);

let mark = null;
process.on('message', async (msg) => {
  let result;
  switch (msg.cmd) {
    case 'phaseStart':
      mark = { elu: performance.eventLoopUtilization(), cpu: process.cpuUsage(), t: performance.now() };
      result = true;
      break;
    case 'phaseEnd': {
      const cpu = process.cpuUsage(mark.cpu);
      result = {
        elu: performance.eventLoopUtilization(mark.elu).utilization,
        cpuMs: (cpu.user + cpu.system) / 1000,
        wallMs: performance.now() - mark.t,
      };
      break;
    }
    case 'stop':
      try {
        await worker.close();
      } finally {
        process.exit(0);
      }
  }
  if (msg.id) process.send({ id: msg.id, result });
});
process.send({ type: 'ready', port: 0 });
