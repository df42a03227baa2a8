import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { config } from 'dotenv';

/** Loads an optional .env from the working directory, then the repository root; real env vars always win. */
export function loadDotenv(): void {
  for (const p of [resolve(process.cwd(), '.env'), resolve(process.cwd(), '../../.env')]) {
    if (existsSync(p)) config({ path: p, quiet: true });
  }
}
