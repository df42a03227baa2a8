import pg from 'pg';
import { runMigrations } from '../../src/db/migrate.js';
import { ADMIN_DATABASE_URL, databaseUrl, TEMPLATE_DB } from './env.js';

/**
 * Migrates one template database per run; every test file then gets its own copy (CREATE DATABASE … TEMPLATE),
 * which takes milliseconds and keeps files independent when they run in parallel.
 */
export default async function setup(): Promise<() => Promise<void>> {
  const admin = new pg.Client({ connectionString: ADMIN_DATABASE_URL });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${TEMPLATE_DB} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${TEMPLATE_DB}`);
  await admin.end();
  await runMigrations(databaseUrl(TEMPLATE_DB));
  return async () => {
    const c = new pg.Client({ connectionString: ADMIN_DATABASE_URL });
    await c.connect();
    // Databases of files that crashed before their own cleanup.
    const { rows } = await c.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname LIKE 'od_test_%'`);
    for (const { datname } of rows) await c.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
    await c.end();
  };
}
