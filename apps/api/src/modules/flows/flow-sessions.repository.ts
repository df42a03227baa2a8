import { Injectable } from '@nestjs/common';
import { and, asc, desc, eq, sql, type SQL } from 'drizzle-orm';
import type { FlowSessionStatus, FlowWaitingKind } from '@orbitdesk/shared';
import type { Cursor } from '../../common/http/pagination.js';
import { Database, type TenantTx } from '../../db/database.js';
import { keysetAfter, keysetBefore, olderThan } from '../../db/query-helpers.js';
import { flowSessionLogs, flowSessions } from '../../db/schema/index.js';

export type FlowSessionRow = typeof flowSessions.$inferSelect;
export type NewFlowSession = typeof flowSessions.$inferInsert;
export type FlowSessionLogRow = typeof flowSessionLogs.$inferSelect;
export type NewFlowSessionLog = typeof flowSessionLogs.$inferInsert;
/** A waiting session whose timer should have fired, as the recovery sweep reads it. */
export type OverdueWait = Pick<
  FlowSessionRow,
  'id' | 'tenantId' | 'currentNodeId' | 'steps' | 'waitingKind' | 'waitingUntil'
>;

/** What may change on a session as it runs. */
export type FlowSessionPatch = Partial<
  Pick<
    NewFlowSession,
    | 'currentNodeId'
    | 'variables'
    | 'context'
    | 'status'
    | 'waitingKind'
    | 'waitingUntil'
    | 'timeoutPort'
    | 'steps'
    | 'error'
    | 'handedOff'
    | 'endedAt'
    | 'conversationId'
  >
>;

@Injectable()
export class FlowSessionsRepository {
  constructor(private readonly db: Database) {}

  /**
   * Across tenants (the recovery sweep has none): sessions waiting on a timer that should have
   * fired more than `olderThanMs` ago, oldest first, keyset after `after`. Served by the partial index
   * flow_sessions_waiting_until_idx (timed waits only, in time order).
   */
  unsafeListOverdueWaits(olderThanMs: number, limit: number, after?: OverdueWait): Promise<OverdueWait[]> {
    const where: SQL[] = [
      eq(flowSessions.status, 'waiting'),
      sql`${flowSessions.waitingUntil} is not null`,
      olderThan(flowSessions.waitingUntil, olderThanMs),
    ];
    if (after)
      where.push(keysetAfter(flowSessions.waitingUntil, flowSessions.id, after.waitingUntil!, after.id));
    return this.db.unsafe
      .select({
        id: flowSessions.id,
        tenantId: flowSessions.tenantId,
        currentNodeId: flowSessions.currentNodeId,
        steps: flowSessions.steps,
        waitingKind: flowSessions.waitingKind,
        waitingUntil: flowSessions.waitingUntil,
      })
      .from(flowSessions)
      .where(and(...where))
      .orderBy(asc(flowSessions.waitingUntil), asc(flowSessions.id))
      .limit(limit);
  }

  /**
   * Inserts a session unless the contact already has a live one of this flow (unique partial index
   * flow_sessions_tenant_flow_contact_live_key); returns undefined then.
   */
  async insertIfNoLive(tx: TenantTx, values: NewFlowSession): Promise<FlowSessionRow | undefined> {
    const [row] = await tx.insert(flowSessions).values(values).onConflictDoNothing().returning();
    return row;
  }

  async findById(tx: TenantTx, id: string): Promise<FlowSessionRow | undefined> {
    const [row] = await tx.select().from(flowSessions).where(eq(flowSessions.id, id));
    return row;
  }

  async update(tx: TenantTx, id: string, patch: FlowSessionPatch): Promise<FlowSessionRow | undefined> {
    const [row] = await tx
      .update(flowSessions)
      .set({ ...patch, updatedAt: new Date() })
      .where(eq(flowSessions.id, id))
      .returning();
    return row;
  }

  async insertLog(tx: TenantTx, values: NewFlowSessionLog): Promise<FlowSessionLogRow> {
    const [row] = await tx.insert(flowSessionLogs).values(values).returning();
    return row!;
  }

  /**
   * Takes a waiting session back to `running`, only if it still waits at `nodeId` for `kind`: of a reply and a
   * timeout arriving together (or a job run twice), exactly one resumes it. A timer's job also names the step
   * count it was scheduled at, so a job left from an earlier visit of the same node does nothing.
   */
  async claimWaiting(
    tx: TenantTx,
    id: string,
    nodeId: string,
    kind: FlowWaitingKind,
    steps?: number,
  ): Promise<FlowSessionRow | undefined> {
    const [row] = await tx
      .update(flowSessions)
      .set({ status: 'running', waitingKind: null, waitingUntil: null, updatedAt: new Date() })
      .where(
        and(
          eq(flowSessions.id, id),
          eq(flowSessions.status, 'waiting'),
          eq(flowSessions.currentNodeId, nodeId),
          eq(flowSessions.waitingKind, kind),
          steps === undefined ? undefined : eq(flowSessions.steps, steps),
        ),
      )
      .returning();
    return row;
  }

  /** The contact's sessions waiting for a reply (not test runs), oldest first. */
  listWaitingForReply(tx: TenantTx, contactId: string): Promise<FlowSessionRow[]> {
    return tx
      .select()
      .from(flowSessions)
      .where(
        and(
          eq(flowSessions.contactId, contactId),
          eq(flowSessions.status, 'waiting'),
          eq(flowSessions.waitingKind, 'reply'),
          eq(flowSessions.testMode, false),
        ),
      )
      .orderBy(asc(flowSessions.updatedAt));
  }

  /** Whether the conversation's latest real session ended by handing it to people. */
  async lastHandedOff(tx: TenantTx, conversationId: string): Promise<boolean> {
    const [row] = await tx
      .select({ handedOff: flowSessions.handedOff })
      .from(flowSessions)
      .where(and(eq(flowSessions.conversationId, conversationId), eq(flowSessions.testMode, false)))
      .orderBy(desc(flowSessions.startedAt))
      .limit(1);
    return row?.handedOff ?? false;
  }

  list(
    tx: TenantTx,
    flowId: string,
    q: { status?: FlowSessionStatus; cursor?: Cursor; limit: number },
  ): Promise<FlowSessionRow[]> {
    const where: SQL[] = [eq(flowSessions.flowId, flowId)];
    if (q.status) where.push(eq(flowSessions.status, q.status));
    if (q.cursor) where.push(keysetBefore(flowSessions.startedAt, flowSessions.id, q.cursor));
    return tx
      .select()
      .from(flowSessions)
      .where(and(...where))
      .orderBy(desc(flowSessions.startedAt), desc(flowSessions.id))
      .limit(q.limit + 1);
  }

  listLogs(tx: TenantTx, sessionId: string): Promise<FlowSessionLogRow[]> {
    return tx
      .select()
      .from(flowSessionLogs)
      .where(eq(flowSessionLogs.sessionId, sessionId))
      .orderBy(asc(flowSessionLogs.step), asc(flowSessionLogs.at));
  }
}
