import { Injectable } from '@nestjs/common';
import { Database, type TenantTx } from '../../db/database.js';
import { requestContext } from './request-context.js';

/** The only way services reach tenant-owned tables: a transaction scoped to the tenant of the current request. */
@Injectable()
export class TenantDb {
  constructor(private readonly db: Database) {}

  run<T>(fn: (tx: TenantTx) => Promise<T>): Promise<T> {
    return this.db.tenantTransaction(requestContext.tenantId(), fn);
  }
}
