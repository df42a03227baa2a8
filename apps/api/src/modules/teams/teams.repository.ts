import { Injectable } from '@nestjs/common';
import { asc, eq, inArray } from 'drizzle-orm';
import type { TenantTx } from '../../db/database.js';
import { teamMembers, teams } from '../../db/schema/index.js';

export type TeamRow = typeof teams.$inferSelect;

@Injectable()
export class TeamsRepository {
  list(tx: TenantTx): Promise<TeamRow[]> {
    return tx.select().from(teams).orderBy(asc(teams.name), asc(teams.id));
  }

  async findById(tx: TenantTx, id: string): Promise<TeamRow | undefined> {
    const [row] = await tx.select().from(teams).where(eq(teams.id, id));
    return row;
  }

  /** Member ids by team id, for the given teams. */
  async membersOf(tx: TenantTx, teamIds: string[]): Promise<Map<string, string[]>> {
    const byTeam = new Map<string, string[]>(teamIds.map((id) => [id, []]));
    if (!teamIds.length) return byTeam;
    const rows = await tx
      .select({ teamId: teamMembers.teamId, userId: teamMembers.userId })
      .from(teamMembers)
      .where(inArray(teamMembers.teamId, teamIds))
      .orderBy(asc(teamMembers.userId));
    for (const r of rows) byTeam.get(r.teamId)?.push(r.userId);
    return byTeam;
  }

  async insert(tx: TenantTx, values: { tenantId: string; name: string }): Promise<TeamRow> {
    const [row] = await tx.insert(teams).values(values).returning();
    return row!;
  }

  async rename(tx: TenantTx, id: string, name: string): Promise<TeamRow | undefined> {
    const [row] = await tx.update(teams).set({ name }).where(eq(teams.id, id)).returning();
    return row;
  }

  /** Conversations of the team keep their assignee and lose the team (the foreign key sets it null). */
  async delete(tx: TenantTx, id: string): Promise<void> {
    await tx.delete(teams).where(eq(teams.id, id));
  }

  async replaceMembers(tx: TenantTx, tenantId: string, teamId: string, userIds: string[]): Promise<void> {
    await tx.delete(teamMembers).where(eq(teamMembers.teamId, teamId));
    if (userIds.length) {
      await tx.insert(teamMembers).values(userIds.map((userId) => ({ tenantId, teamId, userId })));
    }
  }

  /** Which of these ids are users of this tenant (RLS hides everyone else's). */
}
