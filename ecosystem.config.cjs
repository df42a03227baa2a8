// PM2 process file for running OrbitDesk on a host without containers.
//   pnpm install --frozen-lockfile && pnpm build && pnpm --filter @orbitdesk/api db:migrate
//   pm2 start ecosystem.config.cjs && pm2 save
// Configuration comes from .env at the repository root (see .env.example); after editing it, apply with
//   pm2 reload ecosystem.config.cjs --update-env
const { existsSync, readFileSync } = require('node:fs');
const path = require('node:path');

const root = __dirname;
const apiDir = path.join(root, 'apps/api');
const envFile = path.join(root, '.env');

// Parsed with the API's own dotenv, so PM2 and the app read .env the same way. Without a .env the processes
// get PM2's environment only, and the API names each missing variable when it refuses to start.
function loadEnv() {
  if (!existsSync(envFile)) {
    console.warn(`${envFile} not found; using the environment only (see .env.example)`);
    return {};
  }
  const dotenv = require(require.resolve('dotenv', { paths: [apiDir] }));
  return dotenv.parse(readFileSync(envFile));
}

const env = { NODE_ENV: 'production', ...loadEnv() };

module.exports = {
  apps: [
    {
      name: 'orbitdesk-api',
      cwd: apiDir,
      script: 'dist/main.js',
      env,
      // Fork mode, one process: PM2's cluster mode has no sticky sessions, which Socket.IO's long-polling
      // needs. Run more API processes on other ports behind nginx (ip_hash) instead.
      exec_mode: 'fork',
      instances: 1,
      max_memory_restart: '1G',
      kill_timeout: 10000,
      time: true,
    },
    {
      name: 'orbitdesk-worker',
      cwd: apiDir,
      script: 'dist/worker.js',
      env,
      // Workers share nothing but Redis and Postgres, so several can run side by side.
      exec_mode: 'fork',
      instances: 1,
      max_memory_restart: '1G',
      // Lets BullMQ finish the job in hand before the process is killed.
      kill_timeout: 30000,
      time: true,
    },
    {
      // The AI service: stateless, so more instances can run behind a load balancer if needed.
      name: 'orbitdesk-ai',
      cwd: path.join(root, 'services/ai'),
      script: 'dist/main.js',
      env: { ...env, AI_PORT: env.AI_PORT ?? '8000' },
      exec_mode: 'fork',
      instances: 1,
      max_memory_restart: '1G',
      kill_timeout: 10000,
      time: true,
    },
    {
      // The web app's built files, with /api and /socket.io passed to the API (one origin for the browser).
      name: 'orbitdesk-web',
      cwd: path.join(root, 'apps/web'),
      script: 'server.mjs',
      env: {
        ...env,
        WEB_PORT: env.WEB_PORT ?? '3000',
        API_URL: env.API_URL ?? `http://127.0.0.1:${env.PORT ?? 3002}`,
      },
      exec_mode: 'fork',
      instances: 1,
      max_memory_restart: '300M',
      time: true,
    },
  ],
};
