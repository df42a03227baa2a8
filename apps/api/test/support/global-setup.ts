import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { runMigrations } from '../../src/db/migrate.js';
import { ADMIN_DATABASE_URL, databaseUrl } from './env.js';

declare module 'vitest' {
  export interface ProvidedContext {
    templateDb: string;
  }
}

/**
 * Migrates one template database per run; every test file then gets its own copy (CREATE DATABASE … TEMPLATE),
 * which takes milliseconds and keeps files independent when they run in parallel.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // One template per run, so concurrent runs on one machine never drop each other's template.
  const TEMPLATE_DB = `od_template_${process.pid}`;
  const admin = new pg.Client({ connectionString: ADMIN_DATABASE_URL });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${TEMPLATE_DB} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${TEMPLATE_DB}`);
  await admin.end();
  await runMigrations(databaseUrl(TEMPLATE_DB));
  project.provide('templateDb', TEMPLATE_DB);
  return async () => {
    const c = new pg.Client({ connectionString: ADMIN_DATABASE_URL });
    await c.connect();
    await c.query(`DROP DATABASE IF EXISTS ${TEMPLATE_DB} WITH (FORCE)`);
    await c.end();
  };
}
