import { createParamDecorator, SetMetadata, type ExecutionContext } from '@nestjs/common';
import type { ApiKeyScope, Role } from '@orbitdesk/shared';
import type { Principal } from './principal.js';

export const PUBLIC_KEY = 'od:public';
export const ROLES_KEY = 'od:roles';
export const SCOPES_KEY = 'od:scopes';

/** Opts a route out of authentication. Every other route must declare @Roles and/or @Scopes. */
export const Public = () => SetMetadata(PUBLIC_KEY, true);

/**
 * Minimum tenant role (ADMIN ⊇ MANAGER ⊇ AGENT) or SUPERADMIN for platform routes. Several values mean "any of".
 */
export const Roles = (...roles: Role[]) => SetMetadata(ROLES_KEY, roles);

/** API-key scopes that all must be held for an API key to call the route. Without it, API keys are refused. */
export const Scopes = (...scopes: ApiKeyScope[]) => SetMetadata(SCOPES_KEY, scopes);

export const CurrentPrincipal = createParamDecorator((_: unknown, ctx: ExecutionContext): Principal => {
  const principal = ctx.switchToHttp().getRequest<{ principal?: Principal }>().principal;
  if (!principal) throw new Error('CurrentPrincipal used on a public route');
  return principal;
});
