import { Injectable } from '@nestjs/common';
import { and, desc, eq, ilike, or, sql, type SQL } from 'drizzle-orm';
import type { TenantRole } from '@orbitdesk/shared';
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
