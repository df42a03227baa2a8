import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../config/app-config.js';
import { loadDotenv } from '../config/dotenv.js';
import { createApp } from '../bootstrap.js';
import { buildOpenApi } from './openapi.builder.js';

/** Writes apps/api/openapi.json; a test fails when the committed file differs from what the app serves. */
export const OPENAPI_FILE = fileURLToPath(new URL('../../openapi.json', import.meta.url));

loadDotenv();
const app = await createApp({ ...loadConfig(), API_DOCS: false, LOG_LEVEL: 'warn' });
writeFileSync(OPENAPI_FILE, JSON.stringify(buildOpenApi(app), null, 2) + '\n');
await app.close();
console.log(`wrote ${OPENAPI_FILE}`);
