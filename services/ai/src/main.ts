import { fileURLToPath } from 'node:url';
import { buildAiServer } from './server.js';

/** The repository's .env (two levels above src/ and dist/), when there is one; real env vars win. */
function loadRepoEnv(): void {
  try {
    process.loadEnvFile(fileURLToPath(new URL('../../../.env', import.meta.url)));
  } catch {
    // No .env: configuration comes from the environment alone.
  }
}

function fail(message: string): never {
  console.error(message);
  process.exit(1);
}

loadRepoEnv();
const secret = process.env.INTERNAL_JWT_SECRET ?? '';
if (secret.length < 32) {
  fail(
    'INTERNAL_JWT_SECRET must be set to at least 32 characters (the same value as the API): openssl rand -hex 32',
  );
}
const port = Number(process.env.AI_PORT || 8000);
if (!Number.isInteger(port) || port < 1 || port > 65535)
  fail(`AI_PORT must be a port number, not "${process.env.AI_PORT}"`);
const host = process.env.AI_HOST || '0.0.0.0';

const app = await buildAiServer({ internalJwtSecret: secret, logLevel: process.env.LOG_LEVEL || 'info' });
await app.listen({ port, host });

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    app.log.info({ signal }, 'shutting down');
    // Requests in flight finish; the process exits when the server has closed.
    app.close().then(
      () => process.exit(0),
      (err: unknown) => {
        app.log.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  });
}
