import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../config/app-config.js';
import { loadDotenv } from '../config/dotenv.js';
import { createApp } from '../bootstrap.js';
import { buildOpenApi } from './openapi.builder.js';

/** Writes apps/api/openapi.json; a test fails when the committed file differs from what the app serves. */
export const OPENAPI_FILE = fileURLToPath(new URL('../../openapi.json', import.meta.url));

loadDotenv();
// Only the route table is needed: no superadmin bootstrap against whatever database the environment names.
const app = await createApp({
  ...loadConfig(),
  API_DOCS: false,
  LOG_LEVEL: 'warn',
  SUPERADMIN_EMAIL: undefined,
  SUPERADMIN_PASSWORD: undefined,
});
writeFileSync(OPENAPI_FILE, JSON.stringify(buildOpenApi(app), null, 2) + '\n');
await app.close();
console.log(`wrote ${OPENAPI_FILE}`);
