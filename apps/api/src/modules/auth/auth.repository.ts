import { Injectable } from '@nestjs/common';
import { and, count, eq, gt, isNull, sql } from 'drizzle-orm';
import { Database } from '../../db/database.js';
import { auditLogs, platformAdmins, refreshTokens, tenants, users } from '../../db/schema/index.js';
import type { NewAuditRow } from '../audit/audit.repository.js';

export type UserRow = typeof users.$inferSelect;
export type TenantRow = typeof tenants.$inferSelect;
export type AdminRow = typeof platformAdmins.$inferSelect;
export type RefreshRow = typeof refreshTokens.$inferSelect;

/**
 * Every query here runs before a tenant is known (login, refresh, registration, invitations), so all are
 * `unsafe…`: they use the connecting role and must filter by the credential they were given.
 */
@Injectable()
export class AuthRepository {
  constructor(private readonly db: Database) {}

  async unsafeFindUserByEmail(email: string): Promise<{ user: UserRow; tenant: TenantRow } | undefined> {
    const [row] = await this.db.unsafe
      .select({ user: users, tenant: tenants })
      .from(users)
      .innerJoin(tenants, eq(tenants.id, users.tenantId))
      .where(eq(sql`lower(${users.email})`, email.toLowerCase()));
    return row;
  }

  async unsafeFindUserById(id: string): Promise<{ user: UserRow; tenant: TenantRow } | undefined> {
    const [row] = await this.db.unsafe
      .select({ user: users, tenant: tenants })
      .from(users)
      .innerJoin(tenants, eq(tenants.id, users.tenantId))
      .where(eq(users.id, id));
    return row;
  }

  async unsafeFindAdminByEmail(email: string): Promise<AdminRow | undefined> {
    const [row] = await this.db.unsafe
      .select()
      .from(platformAdmins)
      .where(eq(sql`lower(${platformAdmins.email})`, email.toLowerCase()));
    return row;
  }

  async unsafeFindAdminById(id: string): Promise<AdminRow | undefined> {
    const [row] = await this.db.unsafe.select().from(platformAdmins).where(eq(platformAdmins.id, id));
    return row;
  }

  async unsafeEmailTaken(email: string): Promise<boolean> {
    return Boolean((await this.unsafeFindUserByEmail(email)) ?? (await this.unsafeFindAdminByEmail(email)));
  }

  async unsafeCountAdmins(): Promise<number> {
    const [row] = await this.db.unsafe.select({ n: count() }).from(platformAdmins);
    return row?.n ?? 0;
  }

  async unsafeInsertAdmin(values: typeof platformAdmins.$inferInsert): Promise<void> {
    await this.db.unsafe.insert(platformAdmins).values(values).onConflictDoNothing();
  }

  /** Registration: the tenant, its first ADMIN and the audit entry are created together or not at all. */
  async unsafeCreateTenantWithAdmin(
    tenant: { name: string; slug: string },
    admin: { email: string; name: string; passwordHash: string },
    audit: (tenantId: string, userId: string) => NewAuditRow,
  ): Promise<{ tenant: TenantRow; user: UserRow }> {
    return this.db.unsafe.transaction(async (tx) => {
      const [t] = await tx
        .insert(tenants)
        .values({ ...tenant, status: 'PENDING' })
        .returning();
      const [u] = await tx
        .insert(users)
        .values({ ...admin, tenantId: t!.id, role: 'ADMIN' })
        .returning();
      await tx.insert(auditLogs).values(audit(t!.id, u!.id));
      return { tenant: t!, user: u! };
    });
  }

  async unsafeSlugExists(slug: string): Promise<boolean> {
    const [row] = await this.db.unsafe.select({ id: tenants.id }).from(tenants).where(eq(tenants.slug, slug));
    return Boolean(row);
  }

  async unsafeTouchUserLogin(id: string): Promise<void> {
    await this.db.unsafe.update(users).set({ lastLoginAt: new Date() }).where(eq(users.id, id));
  }

  async unsafeTouchAdminLogin(id: string): Promise<void> {
    await this.db.unsafe
      .update(platformAdmins)
      .set({ lastLoginAt: new Date() })
      .where(eq(platformAdmins.id, id));
  }

  async unsafeFindUserByInvite(tokenHash: string): Promise<UserRow | undefined> {
    const [row] = await this.db.unsafe
      .select()
      .from(users)
      .where(and(eq(users.inviteTokenHash, tokenHash), gt(users.inviteExpiresAt, sql`now()`)));
    return row;
  }

  async unsafeAcceptInvite(userId: string, passwordHash: string): Promise<void> {
    await this.db.unsafe
      .update(users)
      .set({ passwordHash, inviteTokenHash: null, inviteExpiresAt: null, updatedAt: new Date() })
      .where(eq(users.id, userId));
  }

  async insertRefresh(values: typeof refreshTokens.$inferInsert): Promise<void> {
    await this.db.unsafe.insert(refreshTokens).values(values);
  }

  async findRefresh(id: string): Promise<RefreshRow | undefined> {
    const [row] = await this.db.unsafe.select().from(refreshTokens).where(eq(refreshTokens.id, id));
    return row;
  }

  /** Atomically claims a refresh token; false when someone already used it (reuse or a race). */
  async claimRefresh(id: string): Promise<boolean> {
    const rows = await this.db.unsafe
      .update(refreshTokens)
      .set({ usedAt: new Date() })
      .where(and(eq(refreshTokens.id, id), isNull(refreshTokens.usedAt), isNull(refreshTokens.revokedAt)))
      .returning({ id: refreshTokens.id });
    return rows.length === 1;
  }

  async revokeFamily(familyId: string): Promise<void> {
    await this.db.unsafe
      .update(refreshTokens)
      .set({ revokedAt: new Date() })
      .where(and(eq(refreshTokens.familyId, familyId), isNull(refreshTokens.revokedAt)));
  }

  async revokeAllForSubject(subjectId: string): Promise<void> {
    await this.db.unsafe
      .update(refreshTokens)
      .set({ revokedAt: new Date() })
      .where(and(eq(refreshTokens.subjectId, subjectId), isNull(refreshTokens.revokedAt)));
  }
}
