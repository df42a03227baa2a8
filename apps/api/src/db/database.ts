import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { sql } from 'drizzle-orm';
import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import type { PgTransaction } from 'drizzle-orm/pg-core';
import type { NodePgQueryResultHKT } from 'drizzle-orm/node-postgres';
import type { ExtractTablesWithRelations } from 'drizzle-orm';
import pg from 'pg';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import * as schema from './schema/index.js';

export type Schema = typeof schema;
export type Db = NodePgDatabase<Schema>;
type Tx = PgTransaction<NodePgQueryResultHKT, Schema, ExtractTablesWithRelations<Schema>>;

declare const tenantScoped: unique symbol;
/**
 * A transaction running as the RLS-restricted role with app.tenant_id set. Repositories of tenant-owned data take
 * only this type, so they cannot be handed a connection that bypasses row-level security.
 */
export type TenantTx = Tx & { readonly [tenantScoped]: true };

/** The role tenant queries run as; created by the tenant_rls migration. */
export const APP_DB_ROLE = 'orbitdesk_app';

export function createPool(url: string, max: number): pg.Pool {
  const pool = new pg.Pool({
    connectionString: url,
    max,
    idleTimeoutMillis: 30_000,
    connectionTimeoutMillis: 5_000,
  });
  // An idle connection that Postgres closes (restart, failover) emits 'error' on the pool; unhandled, that
  // would crash the process. The pool drops the dead client and the next query opens a new one.
  pool.on('error', (err) => new Logger('Database').warn(`idle connection lost: ${err.message}`));
  return pool;
}

@Injectable()
export class Database implements OnModuleDestroy {
  readonly pool: pg.Pool;
  /**
   * The connecting role, which row-level security does not restrict. Only for lookups that happen before a
   * tenant exists (login, API-key and webhook routing) and for platform (superadmin) work; callers name their
   * methods `unsafe…` so every use is visible in review.
   */
  readonly unsafe: Db;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.pool = createPool(config.DATABASE_URL, config.DB_POOL_MAX);
    this.unsafe = drizzle(this.pool, { schema });
  }

  /** Runs `fn` in one transaction as orbitdesk_app with the tenant set, so RLS applies to every statement. */
  async tenantTransaction<T>(tenantId: string, fn: (tx: TenantTx) => Promise<T>): Promise<T> {
    return this.unsafe.transaction(async (tx) => {
      await tx.execute(
        sql`select set_config('role', ${APP_DB_ROLE}, true), set_config('app.tenant_id', ${tenantId}, true)`,
      );
      return fn(tx as TenantTx);
    });
  }

  async ping(): Promise<void> {
    await this.pool.query('select 1');
  }

  async onModuleDestroy(): Promise<void> {
    await this.pool.end();
  }
}
