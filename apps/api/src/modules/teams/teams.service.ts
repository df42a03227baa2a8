import { Injectable } from '@nestjs/common';
import type {
  TCreateTeamRequest,
  TSetMembersRequest,
  TTeam,
  TTeamList,
  TUpdateTeamRequest,
} from '@orbitdesk/shared';
import { conflict, notFound } from '../../common/http/errors.js';
import { requestContext } from '../../common/tenancy/request-context.js';
import { TenantDb } from '../../common/tenancy/tenant-db.service.js';
import type { TenantTx } from '../../db/database.js';
import { isUniqueViolation } from '../../db/query-helpers.js';
import { AuditService } from '../audit/audit.service.js';
import { assertWorkspaceUsers, UsersRepository } from '../users/users.repository.js';
import { TeamsRepository, type TeamRow } from './teams.repository.js';

const toDto = (t: TeamRow, memberIds: string[]): TTeam => ({
  id: t.id,
  name: t.name,
  memberIds,
  createdAt: t.createdAt.toISOString(),
});

const nameTaken = (name: string) => conflict(`A team named "${name}" already exists`);

@Injectable()
export class TeamsService {
  constructor(
    private readonly tenantDb: TenantDb,
    private readonly repo: TeamsRepository,
    private readonly audit: AuditService,
    private readonly users: UsersRepository,
  ) {}

  async list(): Promise<TTeamList> {
    return this.tenantDb.run(async (tx) => {
      const rows = await this.repo.list(tx);
      const members = await this.repo.membersOf(
        tx,
        rows.map((r) => r.id),
      );
      return { items: rows.map((r) => toDto(r, members.get(r.id) ?? [])) };
    });
  }

  get(id: string): Promise<TTeam> {
    return this.tenantDb.run(async (tx) => this.load(tx, id));
  }

  async create(input: TCreateTeamRequest): Promise<TTeam> {
    const tenantId = requestContext.tenantId();
    try {
      return await this.tenantDb.run(async (tx) => {
        const row = await this.repo.insert(tx, { tenantId, name: input.name });
        await this.audit.record(tx, {
          action: 'team.created',
          entityType: 'team',
          entityId: row.id,
          metadata: { name: input.name },
        });
        return toDto(row, []);
      });
    } catch (err) {
      if (isUniqueViolation(err)) throw nameTaken(input.name);
      throw err;
    }
  }

  async update(id: string, input: TUpdateTeamRequest): Promise<TTeam> {
    try {
      return await this.tenantDb.run(async (tx) => {
        const row = await this.repo.rename(tx, id, input.name);
        if (!row) throw notFound('Team');
        await this.audit.record(tx, {
          action: 'team.updated',
          entityType: 'team',
          entityId: id,
          metadata: { name: input.name },
        });
        const members = await this.repo.membersOf(tx, [id]);
        return toDto(row, members.get(id) ?? []);
      });
    } catch (err) {
      if (isUniqueViolation(err)) throw nameTaken(input.name);
      throw err;
    }
  }

  async remove(id: string): Promise<TTeam> {
    return this.tenantDb.run(async (tx) => {
      const team = await this.load(tx, id);
      await this.repo.delete(tx, id);
      await this.audit.record(tx, {
        action: 'team.deleted',
        entityType: 'team',
        entityId: id,
        metadata: { name: team.name },
      });
      return team;
    });
  }

  /** Replaces the member list; every id must be a user of this workspace. */
  async setMembers(id: string, input: TSetMembersRequest): Promise<TTeam> {
    const tenantId = requestContext.tenantId();
    return this.tenantDb.run(async (tx) => {
      const row = await this.repo.findById(tx, id);
      if (!row) throw notFound('Team');
      await assertWorkspaceUsers(this.users, tx, input.userIds);
      await this.repo.replaceMembers(tx, tenantId, id, input.userIds);
      await this.audit.record(tx, {
        action: 'team.members_set',
        entityType: 'team',
        entityId: id,
        metadata: { userIds: input.userIds },
      });
      return toDto(row, [...input.userIds].sort());
    });
  }

  private async load(tx: TenantTx, id: string): Promise<TTeam> {
    const row = await this.repo.findById(tx, id);
    if (!row) throw notFound('Team');
    const members = await this.repo.membersOf(tx, [id]);
    return toDto(row, members.get(id) ?? []);
  }
}
