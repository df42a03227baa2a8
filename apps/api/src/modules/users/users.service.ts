import { Inject, Injectable } from '@nestjs/common';
import type {
  TCreateUserRequest,
  TCreateUserResponse,
  TListUsersQuery,
  TUpdateUserRequest,
  TUser,
  TUserPage,
} from '@orbitdesk/shared';
import { APP_CONFIG, type AppConfig } from '../../config/app-config.js';
import { randomToken, sha256Hex } from '../../common/crypto/hash.js';
import { DomainEvents } from '../../common/events/domain-events.js';
import { conflict, forbidden, notFound } from '../../common/http/errors.js';
import { decodeCursor, toPage } from '../../common/http/pagination.js';
import { requestContext } from '../../common/tenancy/request-context.js';
import { TenantDb } from '../../common/tenancy/tenant-db.service.js';
import { AuditService } from '../audit/audit.service.js';
import { AccessRevocationService } from '../auth/access-revocation.service.js';
import { AuthRepository } from '../auth/auth.repository.js';
import { PasswordService } from '../auth/password.service.js';
import { isUniqueViolation } from '../../db/query-helpers.js';
import { UsersRepository, type UserRow } from './users.repository.js';

const INVITE_TTL_MS = 7 * 24 * 60 * 60 * 1000;

export const toUserDto = (u: UserRow): TUser => ({
  id: u.id,
  tenantId: u.tenantId,
  email: u.email,
  name: u.name,
  role: u.role,
  isActive: u.isActive,
  invitePending: !u.passwordHash,
  lastLoginAt: u.lastLoginAt?.toISOString() ?? null,
  createdAt: u.createdAt.toISOString(),
});

@Injectable()
export class UsersService {
  constructor(
    private readonly tenantDb: TenantDb,
    private readonly repo: UsersRepository,
    private readonly authRepo: AuthRepository,
    private readonly passwords: PasswordService,
    private readonly revocation: AccessRevocationService,
    private readonly audit: AuditService,
    private readonly events: DomainEvents,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async list(q: TListUsersQuery): Promise<TUserPage> {
    const cursor = decodeCursor(q.cursor);
    const rows = await this.tenantDb.run((tx) => this.repo.list(tx, { ...q, cursor }));
    return toPage(rows, q.limit, toUserDto);
  }

  async get(id: string): Promise<TUser> {
    const row = await this.tenantDb.run((tx) => this.repo.findById(tx, id));
    if (!row) throw notFound('User');
    return toUserDto(row);
  }

  async create(input: TCreateUserRequest): Promise<TCreateUserResponse> {
    // Emails identify people across the platform, so the check cannot be tenant-scoped.
    if (await this.authRepo.unsafeEmailTaken(input.email))
      throw conflict('A user with this email already exists');
    const inviteToken = input.password ? null : randomToken(32);
    const passwordHash = input.password ? await this.passwords.hash(input.password) : null;
    try {
      const row = await this.tenantDb.run(async (tx) => {
        const created = await this.repo.insert(tx, {
          tenantId: requestContext.tenantId(),
          email: input.email,
          name: input.name,
          role: input.role,
          passwordHash,
          inviteTokenHash: inviteToken ? sha256Hex(inviteToken) : null,
          inviteExpiresAt: inviteToken ? new Date(Date.now() + INVITE_TTL_MS) : null,
        });
        await this.audit.record(tx, {
          action: inviteToken ? 'user.invited' : 'user.created',
          entityType: 'user',
          entityId: created.id,
          metadata: { email: input.email, role: input.role },
        });
        return created;
      });
      const inviteUrl = inviteToken ? `${this.config.WEB_URL}/accept-invite?token=${inviteToken}` : null;
      return { user: toUserDto(row), inviteUrl };
    } catch (err) {
      if (isUniqueViolation(err)) throw conflict('A user with this email already exists');
      throw err;
    }
  }

  async update(id: string, input: TUpdateUserRequest): Promise<TUser> {
    this.assertNotSelf(id);
    const row = await this.tenantDb.run(async (tx) => {
      const existing = await this.repo.findById(tx, id);
      if (!existing) throw notFound('User');
      const updated = await this.repo.update(tx, id, input);
      await this.audit.record(tx, {
        action: 'user.updated',
        entityType: 'user',
        entityId: id,
        metadata: { ...input, previousRole: existing.role },
      });
      return updated!;
    });
    await this.applyAccessChange(row, input.isActive);
    // Open sockets follow at once (realtime): a demoted admin leaves the admins room, a deactivated user's close.
    this.events.publish('user.updated', {
      tenantId: row.tenantId,
      userId: row.id,
      role: row.role,
      isActive: row.isActive,
    });
    return toUserDto(row);
  }

  async deactivate(id: string): Promise<TUser> {
    return this.update(id, { isActive: false });
  }

  /** Deactivation ends the user's sessions now, not when their access token would expire. */
  private async applyAccessChange(row: UserRow, isActive: boolean | undefined): Promise<void> {
    if (isActive === false) {
      await this.authRepo.revokeAllForSubject(row.id);
      await this.revocation.blockUser(row.id);
    } else if (isActive === true) {
      await this.revocation.unblockUser(row.id);
    }
  }

  private assertNotSelf(id: string): void {
    const p = requestContext.get()?.principal;
    if (p?.kind === 'user' && p.userId === id) throw forbidden('You cannot change your own role or status');
  }
}
