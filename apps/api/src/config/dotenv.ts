import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { config } from 'dotenv';
import { ConfigError, loadConfig, type AppConfig } from './app-config.js';

/** Loads an optional .env from the working directory, then the repository root; real env vars always win. */
export function loadDotenv(): void {
  for (const p of [resolve(process.cwd(), '.env'), resolve(process.cwd(), '../../.env')]) {
    if (existsSync(p)) config({ path: p, quiet: true });
  }
}

/**
 * The configuration of a process entry point (API or worker): .env loaded, then validated. A problem stops the
 * process with one line per problem, naming the variable, and nothing else: it is what an operator reads first.
 */
export function loadProcessConfig(): AppConfig {
  loadDotenv();
  try {
    return loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(1);
    }
    throw err;
  }
}
