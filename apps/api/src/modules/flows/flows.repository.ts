import { Injectable } from '@nestjs/common';
import { and, count, desc, eq, inArray, sql, type SQL } from 'drizzle-orm';
import type { FlowStatus, FlowTriggerType } from '@orbitdesk/shared';
import type { Cursor } from '../../common/http/pagination.js';
import { Database, type TenantTx } from '../../db/database.js';
import { keysetBefore } from '../../db/query-helpers.js';
import { flows, flowVersions } from '../../db/schema/index.js';

export type FlowRow = typeof flows.$inferSelect;
export type NewFlow = typeof flows.$inferInsert;
export type FlowVersionRow = typeof flowVersions.$inferSelect;

/** A flow with the number of its published version. */
export type FlowWithVersion = FlowRow & { publishedVersion: number | null };

/** The webhook route's view of a flow, found by its URL token before any tenant is known. */
export type WebhookFlowRow = Pick<FlowRow, 'id' | 'tenantId' | 'name' | 'status' | 'webhookSecret'>;

@Injectable()
export class FlowsRepository {
  constructor(private readonly db: Database) {}

  private selectWithVersion(tx: TenantTx) {
    return tx
      .select({ flow: flows, publishedVersion: flowVersions.version })
      .from(flows)
      .leftJoin(flowVersions, eq(flowVersions.id, flows.publishedVersionId));
  }

  async list(
    tx: TenantTx,
    q: { status?: FlowStatus; cursor?: Cursor; limit: number },
  ): Promise<FlowWithVersion[]> {
    const where: SQL[] = [];
    if (q.status) where.push(eq(flows.status, q.status));
    if (q.cursor) where.push(keysetBefore(flows.createdAt, flows.id, q.cursor));
    const rows = await this.selectWithVersion(tx)
      .where(and(...where))
      .orderBy(desc(flows.createdAt), desc(flows.id))
      .limit(q.limit + 1);
    return rows.map((r) => ({ ...r.flow, publishedVersion: r.publishedVersion }));
  }

  async findById(tx: TenantTx, id: string): Promise<FlowWithVersion | undefined> {
    const [row] = await this.selectWithVersion(tx).where(eq(flows.id, id));
    return row ? { ...row.flow, publishedVersion: row.publishedVersion } : undefined;
  }

  /** Locks the flow row for the rest of the transaction (publishing numbers versions one at a time). */
  async lockById(tx: TenantTx, id: string): Promise<FlowRow | undefined> {
    const [row] = await tx.select().from(flows).where(eq(flows.id, id)).for('update');
    return row;
  }

  async insert(tx: TenantTx, values: NewFlow): Promise<FlowRow> {
    const [row] = await tx.insert(flows).values(values).returning();
    return row!;
  }

  async update(tx: TenantTx, id: string, values: Partial<NewFlow>): Promise<FlowRow | undefined> {
    const [row] = await tx
      .update(flows)
      .set({ ...values, updatedAt: new Date() })
      .where(eq(flows.id, id))
      .returning();
    return row;
  }

  async delete(tx: TenantTx, id: string): Promise<boolean> {
    const rows = await tx.delete(flows).where(eq(flows.id, id)).returning({ id: flows.id });
    return rows.length > 0;
  }

  async insertVersion(tx: TenantTx, values: typeof flowVersions.$inferInsert): Promise<FlowVersionRow> {
    const [row] = await tx.insert(flowVersions).values(values).returning();
    return row!;
  }

  async lastVersionNumber(tx: TenantTx, flowId: string): Promise<number> {
    const [row] = await tx
      .select({ max: sql<number | null>`max(${flowVersions.version})` })
      .from(flowVersions)
      .where(eq(flowVersions.flowId, flowId));
    return row?.max ?? 0;
  }

  listVersions(tx: TenantTx, flowId: string): Promise<FlowVersionRow[]> {
    return tx
      .select()
      .from(flowVersions)
      .where(eq(flowVersions.flowId, flowId))
      .orderBy(desc(flowVersions.version));
  }

  async findVersion(tx: TenantTx, versionId: string): Promise<FlowVersionRow | undefined> {
    const [row] = await tx.select().from(flowVersions).where(eq(flowVersions.id, versionId));
    return row;
  }

  /** ACTIVE, published flows started by one of these trigger types: what an event may start. */
  listActiveByTrigger(tx: TenantTx, types: FlowTriggerType[]): Promise<FlowRow[]> {
    return tx
      .select()
      .from(flows)
      .where(
        and(
          eq(flows.status, 'ACTIVE'),
          inArray(flows.triggerType, types),
          sql`${flows.publishedVersionId} is not null`,
        ),
      );
  }

  async countActive(tx: TenantTx): Promise<number> {
    const [row] = await tx.select({ n: count() }).from(flows).where(eq(flows.status, 'ACTIVE'));
    return row?.n ?? 0;
  }

  /**
   * Across tenants: the flow behind a webhook URL token. The public webhook route has no tenant until it finds
   * the flow; the flow's own secret (when set) then verifies the request. Unique index flows_webhook_token_key.
   */
  async unsafeFindByWebhookToken(token: string): Promise<WebhookFlowRow | undefined> {
    const [row] = await this.db.unsafe
      .select({
        id: flows.id,
        tenantId: flows.tenantId,
        name: flows.name,
        status: flows.status,
        webhookSecret: flows.webhookSecret,
      })
      .from(flows)
      .where(eq(flows.webhookToken, token));
    return row;
  }
}
