import { Injectable, Logger, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { roleAtLeast, TENANT_ROLES, type ApiKeyScope, type Role, type TenantRole } from '@orbitdesk/shared';
import { PUBLIC_KEY, ROLES_KEY, SCOPES_KEY } from '../../common/auth/access.decorators.js';
import type { Principal } from '../../common/auth/principal.js';
import { forbidden, unauthorized } from '../../common/http/errors.js';
import { badKeyIdentity } from '../../common/rate-limit/rate-limit.hook.js';
import { RateLimiterService } from '../../common/rate-limit/rate-limiter.service.js';
import { ApiKeysService } from '../api-keys/api-keys.service.js';
import { AccessRevocationService } from './access-revocation.service.js';
import { TokenService } from './token.service.js';

type AuthedRequest = FastifyRequest & { principal?: Principal };

/**
 * Deny by default. A route is reachable only if it is @Public() or declares @Roles (for people, via JWT) and/or
 * @Scopes (for API keys). The JWT is tried first, then X-Api-Key. The tenant always comes from the verified
 * credential, never from anything else in the request.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  private readonly logger = new Logger('AuthGuard');

  constructor(
    private readonly reflector: Reflector,
    private readonly tokens: TokenService,
    private readonly apiKeys: ApiKeysService,
    private readonly revocation: AccessRevocationService,
    private readonly limiter: RateLimiterService,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const targets = [ctx.getHandler(), ctx.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets)) return true;
    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, targets);
    const scopes = this.reflector.getAllAndOverride<ApiKeyScope[] | undefined>(SCOPES_KEY, targets);
    if (!roles && !scopes) {
      // A route that forgot its access policy is closed, and the route-table test fails the build.
      this.logger.error(`route ${ctx.getClass().name}.${ctx.getHandler().name} declares no access policy`);
      throw forbidden('This route is not available');
    }

    const req = ctx.switchToHttp().getRequest<AuthedRequest>();
    const authz = req.headers.authorization;
    const apiKey = req.headers['x-api-key'];

    if (authz) {
      const [scheme, token] = authz.split(' ');
      if (scheme !== 'Bearer' || !token) throw unauthorized('Authorization header must be "Bearer <token>"');
      const claims = await this.tokens.verifyAccess(token);
      if (await this.revocation.isBlocked(claims.sub, claims.tenantId)) {
        throw unauthorized('This account or its workspace is no longer active');
      }
      req.principal = this.toUserPrincipal(claims.sub, claims.role, claims.tenantId);
      this.checkRole(req.principal, roles);
      return true;
    }

    if (typeof apiKey === 'string' && apiKey) {
      try {
        req.principal = await this.apiKeys.authenticate(apiKey);
      } catch (err) {
        await this.limiter.recordFailure(badKeyIdentity(req.ip));
        throw err;
      }
      if (!scopes) throw forbidden('This endpoint is not available to API keys');
      const missing = scopes.filter(
        (s) => !req.principal || req.principal.kind !== 'api_key' || !req.principal.scopes.includes(s),
      );
      if (missing.length) throw forbidden(`API key lacks the required scope: ${missing.join(', ')}`);
      return true;
    }

    throw unauthorized('Authentication required: send "Authorization: Bearer <token>" or "X-Api-Key"');
  }

  private toUserPrincipal(sub: string, role: Role, tenantId: string | null): Principal {
    if (role === 'SUPERADMIN') return { kind: 'platform_admin', adminId: sub, role };
    if (!tenantId) throw unauthorized('Access token is malformed');
    return { kind: 'user', userId: sub, tenantId, role };
  }

  private checkRole(principal: Principal, roles: Role[] | undefined): void {
    if (!roles) throw forbidden('This endpoint is only available to API keys');
    if (principal.kind === 'platform_admin') {
      if (roles.includes('SUPERADMIN')) return;
      throw forbidden('Platform administrators cannot use tenant endpoints');
    }
    if (principal.kind !== 'user') return;
    const tenantRoles = roles.filter((r): r is TenantRole => (TENANT_ROLES as readonly string[]).includes(r));
    if (!tenantRoles.some((r) => roleAtLeast(principal.role, r))) {
      throw forbidden(`Requires role ${tenantRoles.length ? tenantRoles.join(' or ') : 'SUPERADMIN'}`);
    }
  }
}
