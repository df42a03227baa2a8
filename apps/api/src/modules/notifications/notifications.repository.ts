import { Injectable } from '@nestjs/common';
import { and, desc, eq, inArray, isNull, or, sql, type SQL } from 'drizzle-orm';
import type { TenantTx } from '../../db/database.js';
import { notifications, users } from '../../db/schema/index.js';
import { keysetBefore } from '../../db/query-helpers.js';
import type { Cursor } from '../../common/http/pagination.js';

export type NotificationRow = typeof notifications.$inferSelect;
export type NewNotification = typeof notifications.$inferInsert;

@Injectable()
export class NotificationsRepository {
  async insertMany(tx: TenantTx, values: NewNotification[]): Promise<NotificationRow[]> {
    if (!values.length) return [];
    return tx.insert(notifications).values(values).returning();
  }

  /** One user's notifications, newest first, keyset on (created_at, id). */
  list(
    tx: TenantTx,
    userId: string,
    q: { unread?: boolean; cursor?: Cursor; limit: number },
  ): Promise<NotificationRow[]> {
    const where: SQL[] = [eq(notifications.userId, userId)];
    if (q.unread === true) where.push(isNull(notifications.readAt));
    if (q.unread === false) where.push(sql`${notifications.readAt} is not null`);
    if (q.cursor) where.push(keysetBefore(notifications.createdAt, notifications.id, q.cursor));
    return tx
      .select()
      .from(notifications)
      .where(and(...where))
      .orderBy(desc(notifications.createdAt), desc(notifications.id))
      .limit(q.limit + 1);
  }

  /** Undefined when the notification is not this user's. Reading twice keeps the first time. */
  async markRead(tx: TenantTx, userId: string, id: string): Promise<NotificationRow | undefined> {
    const [row] = await tx
      .update(notifications)
      .set({ readAt: sql`coalesce(${notifications.readAt}, now())` })
      .where(and(eq(notifications.id, id), eq(notifications.userId, userId)))
      .returning();
    return row;
  }

  async markAllRead(tx: TenantTx, userId: string): Promise<number> {
    const rows = await tx
      .update(notifications)
      .set({ readAt: sql`now()` })
      .where(and(eq(notifications.userId, userId), isNull(notifications.readAt)))
      .returning({ id: notifications.id });
    return rows.length;
  }

  /** Active users of this tenant (RLS hides the others) with one of these ids or emails. */
  async activeUserIds(tx: TenantTx, ids: string[], emails: string[]): Promise<string[]> {
    const match: SQL[] = [];
    if (ids.length) match.push(inArray(users.id, ids));
    if (emails.length) match.push(inArray(sql`lower(${users.email})`, emails));
    if (!match.length) return [];
    const rows = await tx
      .select({ id: users.id })
      .from(users)
      .where(and(eq(users.isActive, true), or(...match)));
    return rows.map((r) => r.id);
  }
}
