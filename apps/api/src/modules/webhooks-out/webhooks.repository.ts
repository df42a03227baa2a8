import { Injectable } from '@nestjs/common';
import { and, asc, count, desc, eq, sql, type SQL } from 'drizzle-orm';
import { Database, type TenantTx } from '../../db/database.js';
import type { Cursor } from '../../common/http/pagination.js';
import { keysetAfter, keysetBefore, olderThan } from '../../db/query-helpers.js';
import { webhookDeliveries, webhookDeliveryAttempts, webhookEndpoints } from '../../db/schema/index.js';

export type WebhookEndpointRow = typeof webhookEndpoints.$inferSelect;
export type NewWebhookEndpoint = typeof webhookEndpoints.$inferInsert;
export type WebhookDeliveryRow = typeof webhookDeliveries.$inferSelect;
export type NewWebhookDelivery = typeof webhookDeliveries.$inferInsert;
export type WebhookAttemptRow = typeof webhookDeliveryAttempts.$inferSelect;
export type NewWebhookAttempt = typeof webhookDeliveryAttempts.$inferInsert;

/** A row the recovery sweep found, with its keyset position. */
export interface StuckDeliveryRow {
  id: string;
  tenantId: string;
  createdAt: Date;
}

@Injectable()
export class WebhooksRepository {
  constructor(private readonly db: Database) {}

  /**
   * Across tenants (the recovery sweep has none): deliveries still `pending` with no attempt made more than
   * `olderThanMs` after they were created, oldest first, keyset after `after`. Served by the partial index
   * webhook_deliveries_tenant_pending_idx, which holds pending rows only.
   */
  unsafeListUnsentPending(
    olderThanMs: number,
    limit: number,
    after?: StuckDeliveryRow,
  ): Promise<StuckDeliveryRow[]> {
    const where: SQL[] = [
      eq(webhookDeliveries.status, 'pending'),
      eq(webhookDeliveries.attempts, 0),
      olderThan(webhookDeliveries.createdAt, olderThanMs),
      // Finished jobs are kept 24 h; past that a lost status write could not be told from a lost job, and
      // re-queueing could send twice. Older rows are left for a person to look at.
      sql`${webhookDeliveries.createdAt} > now() - interval '23 hours'`,
    ];
    if (after)
      where.push(keysetAfter(webhookDeliveries.createdAt, webhookDeliveries.id, after.createdAt, after.id));
    return this.db.unsafe
      .select({
        id: webhookDeliveries.id,
        tenantId: webhookDeliveries.tenantId,
        createdAt: webhookDeliveries.createdAt,
      })
      .from(webhookDeliveries)
      .where(and(...where))
      .orderBy(asc(webhookDeliveries.createdAt), asc(webhookDeliveries.id))
      .limit(limit);
  }
  listEndpoints(tx: TenantTx): Promise<WebhookEndpointRow[]> {
    return tx
      .select()
      .from(webhookEndpoints)
      .orderBy(desc(webhookEndpoints.createdAt), desc(webhookEndpoints.id));
  }

  async findEndpoint(tx: TenantTx, id: string): Promise<WebhookEndpointRow | undefined> {
    const [row] = await tx.select().from(webhookEndpoints).where(eq(webhookEndpoints.id, id));
    return row;
  }

  /** The endpoints an event goes to: active and subscribed to its type. */
  activeEndpoints(tx: TenantTx): Promise<Pick<WebhookEndpointRow, 'id' | 'events'>[]> {
    return tx
      .select({ id: webhookEndpoints.id, events: webhookEndpoints.events })
      .from(webhookEndpoints)
      .where(eq(webhookEndpoints.isActive, true));
  }

  async countEndpoints(tx: TenantTx): Promise<number> {
    const [row] = await tx.select({ n: count() }).from(webhookEndpoints);
    return row?.n ?? 0;
  }

  /** Serialises endpoint creation per tenant so two concurrent requests cannot both pass the limit. */
  async lockTenantEndpoints(tx: TenantTx, tenantId: string): Promise<void> {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${'webhook_endpoints:' + tenantId}))`);
  }

  async insertEndpoint(tx: TenantTx, values: NewWebhookEndpoint): Promise<WebhookEndpointRow> {
    const [row] = await tx.insert(webhookEndpoints).values(values).returning();
    return row!;
  }

  async updateEndpoint(
    tx: TenantTx,
    id: string,
    values: Partial<Pick<WebhookEndpointRow, 'url' | 'description' | 'events' | 'isActive' | 'secret'>>,
  ): Promise<WebhookEndpointRow | undefined> {
    const [row] = await tx
      .update(webhookEndpoints)
      .set({ ...values, updatedAt: sql`now()` })
      .where(eq(webhookEndpoints.id, id))
      .returning();
    return row;
  }

  async deleteEndpoint(tx: TenantTx, id: string): Promise<void> {
    await tx.delete(webhookEndpoints).where(eq(webhookEndpoints.id, id));
  }

  insertDeliveries(tx: TenantTx, values: NewWebhookDelivery[]): Promise<WebhookDeliveryRow[]> {
    return tx.insert(webhookDeliveries).values(values).returning();
  }

  listDeliveries(
    tx: TenantTx,
    q: { endpointId: string; cursor?: Cursor; limit: number; status?: WebhookDeliveryRow['status'] },
  ): Promise<WebhookDeliveryRow[]> {
    const where: SQL[] = [eq(webhookDeliveries.endpointId, q.endpointId)];
    if (q.status) where.push(eq(webhookDeliveries.status, q.status));
    if (q.cursor) where.push(keysetBefore(webhookDeliveries.createdAt, webhookDeliveries.id, q.cursor));
    return tx
      .select()
      .from(webhookDeliveries)
      .where(and(...where))
      .orderBy(desc(webhookDeliveries.createdAt), desc(webhookDeliveries.id))
      .limit(q.limit + 1);
  }

  async findDelivery(tx: TenantTx, id: string): Promise<WebhookDeliveryRow | undefined> {
    const [row] = await tx.select().from(webhookDeliveries).where(eq(webhookDeliveries.id, id));
    return row;
  }

  /** A delivery with its endpoint: what one send needs. */
  async findDeliveryForSend(
    tx: TenantTx,
    id: string,
  ): Promise<{ delivery: WebhookDeliveryRow; endpoint: WebhookEndpointRow } | undefined> {
    const [row] = await tx
      .select({ delivery: webhookDeliveries, endpoint: webhookEndpoints })
      .from(webhookDeliveries)
      .innerJoin(webhookEndpoints, eq(webhookEndpoints.id, webhookDeliveries.endpointId))
      .where(eq(webhookDeliveries.id, id));
    return row;
  }

  listAttempts(tx: TenantTx, deliveryId: string): Promise<WebhookAttemptRow[]> {
    return tx
      .select()
      .from(webhookDeliveryAttempts)
      .where(eq(webhookDeliveryAttempts.deliveryId, deliveryId))
      .orderBy(asc(webhookDeliveryAttempts.attempt));
  }

  async insertAttempt(tx: TenantTx, values: NewWebhookAttempt): Promise<void> {
    await tx.insert(webhookDeliveryAttempts).values(values);
  }

  /** Counts one more attempt and sets the summary columns; the returned row carries the attempt's number. */
  async countAttempt(
    tx: TenantTx,
    id: string,
    values: Pick<
      WebhookDeliveryRow,
      'status' | 'lastStatusCode' | 'lastError' | 'lastLatencyMs' | 'nextAttemptAt'
    >,
  ): Promise<WebhookDeliveryRow | undefined> {
    const [row] = await tx
      .update(webhookDeliveries)
      .set({ ...values, attempts: sql`${webhookDeliveries.attempts} + 1`, updatedAt: sql`now()` })
      .where(eq(webhookDeliveries.id, id))
      .returning();
    return row;
  }

  async setDeliveryStatus(
    tx: TenantTx,
    id: string,
    values: Pick<WebhookDeliveryRow, 'status' | 'lastError' | 'nextAttemptAt'>,
  ): Promise<void> {
    await tx
      .update(webhookDeliveries)
      .set({ ...values, updatedAt: sql`now()` })
      .where(eq(webhookDeliveries.id, id));
  }
}
