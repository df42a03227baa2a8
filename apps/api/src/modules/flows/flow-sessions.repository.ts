import { Injectable } from '@nestjs/common';
import { and, asc, desc, eq, type SQL } from 'drizzle-orm';
import type { FlowSessionStatus, FlowWaitingKind } from '@orbitdesk/shared';
import type { Cursor } from '../../common/http/pagination.js';
import type { TenantTx } from '../../db/database.js';
import { keysetBefore } from '../../db/query-helpers.js';
import { flowSessionLogs, flowSessions } from '../../db/schema/index.js';

export type FlowSessionRow = typeof flowSessions.$inferSelect;
export type NewFlowSession = typeof flowSessions.$inferInsert;
export type FlowSessionLogRow = typeof flowSessionLogs.$inferSelect;
export type NewFlowSessionLog = typeof flowSessionLogs.$inferInsert;

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
