import { fileURLToPath } from 'node:url';
import { drizzle } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import pg from 'pg';

// src/db/migrate.ts and dist/db/migrate.js sit at the same depth, so this resolves from both.
export const MIGRATIONS_DIR = fileURLToPath(new URL('../../src/db/migrations', import.meta.url));

/** Applies every committed migration: tables, the RLS role, functions and policies. */
export async function runMigrations(databaseUrl: string): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await migrate(drizzle(client), { migrationsFolder: MIGRATIONS_DIR });
  } finally {
    await client.end();
  }
}

const isMain = process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1];
if (isMain) {
  const { loadDotenv } = await import('../config/dotenv.js');
  loadDotenv();
  const url = process.env.DATABASE_URL;
  if (!url) {
    console.error('DATABASE_URL: is required');
    process.exit(1);
  }
  try {
    await runMigrations(url);
    console.log('migrations applied');
  } catch (err) {
    console.error(`migration failed: ${(err as Error).message}`);
    process.exit(1);
  }
}
