import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { randomBytes, randomUUID } from 'node:crypto';
import type {
  TenantStatus,
  TMeResponse,
  TRegisterRequest,
  TRegisterResponse,
  TTokenResponse,
} from '@orbitdesk/shared';
import { APP_CONFIG, type AppConfig } from '../../config/app-config.js';
import { sha256Hex } from '../../common/crypto/hash.js';
import { AppError, conflict, forbidden, unauthorized } from '../../common/http/errors.js';
import type { Principal } from '../../common/auth/principal.js';
import { isUniqueViolation } from '../../db/query-helpers.js';
import { AuditService } from '../audit/audit.service.js';
import { AuthRepository, type AdminRow, type TenantRow, type UserRow } from './auth.repository.js';
import { LoginThrottleService } from './login-throttle.service.js';
import { PasswordService } from './password.service.js';
import { ACCESS_TOKEN_TTL_SECONDS, TokenService } from './token.service.js';

export interface IssuedSession {
  response: TTokenResponse;
  refreshToken: string;
  refreshExpiresAt: Date;
}

const INACTIVE_TENANT_MESSAGE: Record<Exclude<TenantStatus, 'ACTIVE'>, string> = {
  PENDING: 'Your workspace is waiting for approval by the OrbitDesk team',
  REJECTED: 'Your workspace registration was rejected',
  SUSPENDED: 'Your workspace is suspended',
};

export function tenantBlockedMessage(tenant: TenantRow): string | null {
  if (tenant.status === 'ACTIVE') return null;
  const base = INACTIVE_TENANT_MESSAGE[tenant.status];
  return tenant.statusReason ? `${base}: ${tenant.statusReason}` : base;
}

function slugify(name: string): string {
  return (
    name
      .normalize('NFKD')
      .replace(/[\u0300-\u036f]/g, '')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 40) || 'workspace'
  );
}

@Injectable()
export class AuthService implements OnApplicationBootstrap {
  private readonly logger = new Logger('AuthService');

  constructor(
    private readonly repo: AuthRepository,
    private readonly tokens: TokenService,
    private readonly passwords: PasswordService,
    private readonly throttle: LoginThrottleService,
    private readonly audit: AuditService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Creates the first SUPERADMIN from the environment when the platform has none. */
  async onApplicationBootstrap(): Promise<void> {
    const { SUPERADMIN_EMAIL: email, SUPERADMIN_PASSWORD: password } = this.config;
    if (!email || !password) return;
    if ((await this.repo.unsafeCountAdmins()) > 0) return;
    // Login finds tenant users first, so a SUPERADMIN sharing a tenant user's email could never sign in.
    if (await this.repo.unsafeFindUserByEmail(email)) {
      this.logger.error(
        `SUPERADMIN_EMAIL ${email} already belongs to a tenant user; no SUPERADMIN was created`,
      );
      return;
    }
    await this.repo.unsafeInsertAdmin({
      email: email.toLowerCase(),
      name: 'Platform admin',
      passwordHash: await this.passwords.hash(password),
    });
    this.logger.log(`created SUPERADMIN ${email}`);
  }

  async register(input: TRegisterRequest): Promise<TRegisterResponse> {
    if (await this.repo.unsafeEmailTaken(input.email))
      throw conflict('An account with this email already exists');
    let slug = slugify(input.companyName);
    if (await this.repo.unsafeSlugExists(slug)) slug = `${slug}-${randomBytes(3).toString('hex')}`;
    const passwordHash = await this.passwords.hash(input.password);
    let created: { tenant: TenantRow; user: UserRow };
    try {
      created = await this.repo.unsafeCreateTenantWithAdmin(
        { name: input.companyName, slug },
        { email: input.email, name: input.name, passwordHash },
        (tenantId, userId) =>
          this.audit.entryFor(tenantId, {
            action: 'tenant.registered',
            entityType: 'tenant',
            entityId: tenantId,
            metadata: { adminUserId: userId },
          }),
      );
    } catch (err) {
      // Two registrations racing for the same email: the unique index decides.
      if (isUniqueViolation(err)) {
        throw conflict('An account with this email already exists');
      }
      throw err;
    }
    return {
      tenant: {
        id: created.tenant.id,
        name: created.tenant.name,
        slug: created.tenant.slug,
        status: created.tenant.status,
      },
      user: { id: created.user.id, email: created.user.email, name: created.user.name },
      message: 'Workspace created. You can log in once the OrbitDesk team approves it.',
    };
  }

  async login(email: string, password: string): Promise<IssuedSession> {
    await this.throttle.beforeAttempt(email);
    const found = await this.repo.unsafeFindUserByEmail(email);
    const admin = found ? undefined : await this.repo.unsafeFindAdminByEmail(email);
    const ok = await this.passwords.verify(found?.user.passwordHash ?? admin?.passwordHash, password);
    if (!ok) {
      await this.throttle.recordFailure(email);
      throw unauthorized('Invalid email or password');
    }
    await this.throttle.recordSuccess(email);
    if (admin) {
      await this.repo.unsafeTouchAdminLogin(admin.id);
      return this.issue({ kind: 'platform_admin', admin }, randomUUID());
    }
    const { user, tenant } = found!;
    this.assertCanSignIn(user, tenant);
    await this.repo.unsafeTouchUserLogin(user.id);
    return this.issue({ kind: 'user', user, tenant }, randomUUID());
  }

  async refresh(refreshToken: string | undefined): Promise<IssuedSession> {
    if (!refreshToken) throw unauthorized('No refresh token; log in again');
    const claims = await this.tokens.verifyRefresh(refreshToken);
    const row = await this.repo.findRefresh(claims.jti);
    if (!row || row.subjectId !== claims.sub) throw unauthorized('Refresh token is invalid; log in again');
    if (row.revokedAt) throw unauthorized('Session was signed out; log in again');
    if (row.usedAt || !(await this.repo.claimRefresh(row.id))) {
      // A rotated token came back: someone holds a copy. End every session of this login.
      await this.repo.revokeFamily(row.familyId);
      this.logger.warn(
        `refresh token reuse detected for ${row.subjectType} ${row.subjectId}; family revoked`,
      );
      throw unauthorized('Refresh token was already used; for your safety this session has been signed out');
    }
    if (row.subjectType === 'platform_admin') {
      const admin = await this.repo.unsafeFindAdminById(row.subjectId);
      if (!admin) throw unauthorized('Account no longer exists');
      return this.issue({ kind: 'platform_admin', admin }, row.familyId);
    }
    const found = await this.repo.unsafeFindUserById(row.subjectId);
    if (!found) throw unauthorized('Account no longer exists');
    this.assertCanSignIn(found.user, found.tenant, unauthorized);
    return this.issue({ kind: 'user', user: found.user, tenant: found.tenant }, row.familyId);
  }

  async logout(refreshToken: string | undefined): Promise<void> {
    if (!refreshToken) return;
    try {
      const claims = await this.tokens.verifyRefresh(refreshToken);
      const row = await this.repo.findRefresh(claims.jti);
      if (row) await this.repo.revokeFamily(row.familyId);
    } catch {
      // An expired or foreign cookie still gets cleared by the controller.
    }
  }

  async me(principal: Principal): Promise<TMeResponse> {
    if (principal.kind === 'platform_admin') {
      const admin = await this.repo.unsafeFindAdminById(principal.adminId);
      if (!admin) throw unauthorized('Account no longer exists');
      return this.meOfAdmin(admin);
    }
    if (principal.kind !== 'user') throw forbidden('Only people have a profile');
    const found = await this.repo.unsafeFindUserById(principal.userId);
    if (!found || found.tenant.id !== principal.tenantId) throw unauthorized('Account no longer exists');
    return this.meOfUser(found.user, found.tenant);
  }

  async acceptInvite(token: string, password: string): Promise<void> {
    const user = await this.repo.unsafeFindUserByInvite(sha256Hex(token));
    if (!user) throw new AppError(400, 'This invitation link is invalid or has expired');
    await this.repo.unsafeAcceptInvite(user.id, await this.passwords.hash(password));
  }

  private assertCanSignIn(user: UserRow, tenant: TenantRow, fail: (m: string) => AppError = forbidden): void {
    const tenantMessage = tenantBlockedMessage(tenant);
    if (tenantMessage) throw fail(tenantMessage);
    if (!user.isActive)
      throw fail('Your account has been deactivated; ask an administrator of your workspace');
    if (!user.passwordHash) throw fail('Accept your invitation to set a password first');
  }

  private async issue(
    subject: { kind: 'user'; user: UserRow; tenant: TenantRow } | { kind: 'platform_admin'; admin: AdminRow },
    familyId: string,
  ): Promise<IssuedSession> {
    const isUser = subject.kind === 'user';
    const sub = isUser ? subject.user.id : subject.admin.id;
    const accessToken = await this.tokens.signAccess(
      isUser
        ? { sub, role: subject.user.role, tenantId: subject.tenant.id }
        : { sub, role: 'SUPERADMIN', tenantId: null },
    );
    const refresh = await this.tokens.signRefresh(sub, subject.kind, familyId);
    await this.repo.insertRefresh({
      id: refresh.jti,
      familyId,
      subjectType: subject.kind,
      subjectId: sub,
      tenantId: isUser ? subject.tenant.id : null,
      expiresAt: refresh.expiresAt,
    });
    return {
      response: {
        accessToken,
        tokenType: 'Bearer',
        expiresIn: ACCESS_TOKEN_TTL_SECONDS,
        user: isUser ? this.meOfUser(subject.user, subject.tenant) : this.meOfAdmin(subject.admin),
      },
      refreshToken: refresh.token,
      refreshExpiresAt: refresh.expiresAt,
    };
  }

  private meOfUser(user: UserRow, tenant: TenantRow): TMeResponse {
    return {
      id: user.id,
      email: user.email,
      name: user.name,
      role: user.role,
      tenant: { id: tenant.id, name: tenant.name, slug: tenant.slug, status: tenant.status },
    };
  }

  private meOfAdmin(admin: AdminRow): TMeResponse {
    return { id: admin.id, email: admin.email, name: admin.name, role: 'SUPERADMIN', tenant: null };
  }
}
