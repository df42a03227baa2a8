import { Injectable } from '@nestjs/common';
import { and, desc, eq, ilike, inArray, or, sql, type SQL } from 'drizzle-orm';
import type { TenantRole } from '@orbitdesk/shared';
import { unprocessable } from '../../common/http/errors.js';
import type { TenantTx } from '../../db/database.js';
import { users } from '../../db/schema/index.js';
import { keysetBefore, likePattern } from '../../db/query-helpers.js';
import type { Cursor } from '../../common/http/pagination.js';

export type UserRow = typeof users.$inferSelect;

@Injectable()
export class UsersRepository {
  list(
    tx: TenantTx,
    q: { cursor?: Cursor; limit: number; search?: string; role?: TenantRole },
  ): Promise<UserRow[]> {
    const where: SQL[] = [];
    if (q.role) where.push(eq(users.role, q.role));
    if (q.search)
      where.push(or(ilike(users.name, likePattern(q.search)), ilike(users.email, likePattern(q.search)))!);
    if (q.cursor) where.push(keysetBefore(users.createdAt, users.id, q.cursor));
    return tx
      .select()
      .from(users)
      .where(and(...where))
      .orderBy(desc(users.createdAt), desc(users.id))
      .limit(q.limit + 1);
  }

  /** The ids among `ids` that are users of the transaction's tenant (RLS hides everyone else's). */
  async existingIds(tx: TenantTx, ids: string[]): Promise<Set<string>> {
    if (!ids.length) return new Set();
    const rows = await tx.select({ id: users.id }).from(users).where(inArray(users.id, ids));
    return new Set(rows.map((r) => r.id));
  }

  async findById(tx: TenantTx, id: string): Promise<UserRow | undefined> {
    const [row] = await tx.select().from(users).where(eq(users.id, id));
    return row;
  }

  async insert(tx: TenantTx, values: typeof users.$inferInsert): Promise<UserRow> {
    const [row] = await tx.insert(users).values(values).returning();
    return row!;
  }

  async update(
    tx: TenantTx,
    id: string,
    values: Partial<Pick<UserRow, 'name' | 'role' | 'isActive'>>,
  ): Promise<UserRow | undefined> {
    const [row] = await tx
      .update(users)
      .set({ ...values, updatedAt: sql`now()` })
      .where(eq(users.id, id))
      .returning();
    return row;
  }
}

/** A 422 naming the ids that are not users of this workspace (member lists of teams and inboxes). */
export async function assertWorkspaceUsers(
  repo: UsersRepository,
  tx: TenantTx,
  ids: string[],
): Promise<void> {
  const known = await repo.existingIds(tx, ids);
  const unknown = ids.filter((u) => !known.has(u));
  if (unknown.length) throw unprocessable('userIds: not users of this workspace', { userIds: unknown });
}
