import { Logger, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { ApiKeyScope } from '@orbitdesk/shared';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { Public, Roles, Scopes } from '../../common/auth/access.decorators.js';
import type { Principal } from '../../common/auth/principal.js';
import { AppError, unauthorized } from '../../common/http/errors.js';
import type { AppConfig } from '../../config/app-config.js';
import type { ApiKeysService } from '../api-keys/api-keys.service.js';
import type { AccessRevocationService } from './access-revocation.service.js';
import type { RateLimiterService } from '../../common/rate-limit/rate-limiter.service.js';
import { AuthGuard } from './auth.guard.js';
import { TokenService } from './token.service.js';

// Stand-in controllers: the guard reads the same metadata the real decorators write, through a real Reflector.
class NoPolicyController {
  handler() {}
}
class PublicController {
  @Public()
  handler() {}
}
@Roles('ADMIN')
class AdminController {
  handler() {}
}
@Roles('AGENT')
class AgentController {
  handler() {}
}
class ContactsReadController {
  @Scopes('contacts:read')
  handler() {}
}
class ContactsWriteController {
  @Scopes('contacts:read', 'contacts:write')
  handler() {}
}
@Scopes()
class AnyKeyController {
  handler() {}
}
@Roles('AGENT')
class MixedController {
  @Scopes('messages:send')
  handler() {}
}

type Ctl = { prototype: { handler: () => void } };

const TENANT = '00000000-0000-4000-8000-000000000001';
const KEY_ID = '00000000-0000-4000-8000-0000000000aa';
const RAW_KEY = `wcrm_${'a'.repeat(43)}`;

const config = {
  JWT_SECRET: 'unit-access-secret-0123456789abcdef0123',
  JWT_REFRESH_SECRET: 'unit-refresh-secret-0123456789abcdef012',
} as AppConfig;

describe('AuthGuard', () => {
  const tokens = new TokenService(config);
  const authenticate = vi.fn<(raw: string) => Promise<Principal>>();
  const isBlocked = vi.fn<(userId: string, tenantId: string | null) => Promise<boolean>>();
  const recordFailure = vi.fn<(identity: string) => Promise<void>>(() => Promise.resolve());
  const guard = new AuthGuard(
    new Reflector(),
    tokens,
    { authenticate } as unknown as ApiKeysService,
    { isBlocked } as unknown as AccessRevocationService,
    { recordFailure } as unknown as RateLimiterService,
  );

  const keyWith = (...scopes: ApiKeyScope[]): Principal => ({
    kind: 'api_key',
    keyId: KEY_ID,
    tenantId: TENANT,
    scopes,
  });
  const jwt = (role: 'AGENT' | 'MANAGER' | 'ADMIN' | 'SUPERADMIN', sub = 'user-1') =>
    tokens.signAccess({ sub, role, tenantId: role === 'SUPERADMIN' ? null : TENANT });

  function call(controller: Ctl, headers: Record<string, string> = {}) {
    const req: { headers: Record<string, string>; principal?: Principal } = { headers };
    const ctx = {
      getHandler: () => controller.prototype.handler,
      getClass: () => controller,
      switchToHttp: () => ({ getRequest: () => req }),
    } as unknown as ExecutionContext;
    return { result: guard.canActivate(ctx), req };
  }

  async function expectDenied(result: Promise<boolean>, status: number, message: string | RegExp) {
    const err: unknown = await result.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err, 'the guard let the request through').toBeInstanceOf(AppError);
    expect((err as AppError).getStatus()).toBe(status);
    expect((err as AppError).message).toMatch(message);
  }

  beforeAll(() => {
    // The guard logs routes without a policy as errors; expected here, so keep the output clean.
    vi.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
  });
  afterAll(() => vi.restoreAllMocks());
  beforeEach(() => {
    authenticate.mockReset();
    isBlocked.mockReset().mockResolvedValue(false);
  });

  describe('routes without an access policy are closed', () => {
    it('to an API key, without looking the key up', async () => {
      authenticate.mockResolvedValue(keyWith('contacts:read'));
      await expectDenied(
        call(NoPolicyController, { 'x-api-key': RAW_KEY }).result,
        403,
        'This route is not available',
      );
      expect(authenticate).not.toHaveBeenCalled();
    });

    it('to an ADMIN with a valid token', async () => {
      await expectDenied(
        call(NoPolicyController, { authorization: `Bearer ${await jwt('ADMIN')}` }).result,
        403,
        'This route is not available',
      );
    });

    it('to a caller without credentials', async () => {
      await expectDenied(call(NoPolicyController).result, 403, 'This route is not available');
    });
  });

  it('lets anyone through a @Public() route without touching credentials', async () => {
    await expect(call(PublicController).result).resolves.toBe(true);
    await expect(call(PublicController, { 'x-api-key': 'garbage' }).result).resolves.toBe(true);
    expect(authenticate).not.toHaveBeenCalled();
  });

  describe('API keys', () => {
    it('are refused on a roles-only route even when valid', async () => {
      authenticate.mockResolvedValue(keyWith('contacts:read', 'contacts:write'));
      await expectDenied(
        call(AdminController, { 'x-api-key': RAW_KEY }).result,
        403,
        'This endpoint is not available to API keys',
      );
      expect(authenticate).toHaveBeenCalledWith(RAW_KEY);
    });

    it('missing the route scope get 403 naming that scope', async () => {
      authenticate.mockResolvedValue(keyWith('messages:read'));
      await expectDenied(
        call(ContactsReadController, { 'x-api-key': RAW_KEY }).result,
        403,
        'API key lacks the required scope: contacts:read',
      );
    });

    it('missing one of several scopes get 403 naming only the missing one', async () => {
      authenticate.mockResolvedValue(keyWith('contacts:read'));
      const { result } = call(ContactsWriteController, { 'x-api-key': RAW_KEY });
      await expectDenied(result, 403, /^API key lacks the required scope: contacts:write$/);
    });

    it('missing all scopes get 403 naming each of them', async () => {
      authenticate.mockResolvedValue(keyWith());
      await expectDenied(
        call(ContactsWriteController, { 'x-api-key': RAW_KEY }).result,
        403,
        'API key lacks the required scope: contacts:read, contacts:write',
      );
    });

    it('holding every required scope pass, and the verified key becomes the principal', async () => {
      const principal = keyWith('contacts:write', 'contacts:read', 'messages:send');
      authenticate.mockResolvedValue(principal);
      const { result, req } = call(ContactsWriteController, { 'x-api-key': RAW_KEY });
      await expect(result).resolves.toBe(true);
      expect(req.principal).toEqual(principal);
    });

    it('pass an empty @Scopes() route whatever their scopes', async () => {
      authenticate.mockResolvedValue(keyWith());
      await expect(call(AnyKeyController, { 'x-api-key': RAW_KEY }).result).resolves.toBe(true);
      authenticate.mockResolvedValue(keyWith('flows:trigger'));
      await expect(call(AnyKeyController, { 'x-api-key': RAW_KEY }).result).resolves.toBe(true);
    });

    it('that fail authentication get its 401, before any scope check', async () => {
      authenticate.mockRejectedValue(unauthorized('API key has been revoked'));
      await expectDenied(
        call(ContactsReadController, { 'x-api-key': RAW_KEY }).result,
        401,
        'API key has been revoked',
      );
    });

    it('that fail authentication count against the caller IP, so made-up keys cannot dodge the rate limit', async () => {
      recordFailure.mockClear();
      authenticate.mockRejectedValue(unauthorized('API key is invalid'));
      const { result, req } = call(ContactsReadController, { 'x-api-key': RAW_KEY });
      (req as { ip?: string }).ip = '203.0.113.9';
      await expectDenied(result, 401, 'API key is invalid');
      expect(recordFailure).toHaveBeenCalledWith('badkey:203.0.113.9');
    });

    it('use the scopes of a route that also admits roles', async () => {
      authenticate.mockResolvedValue(keyWith('messages:send'));
      await expect(call(MixedController, { 'x-api-key': RAW_KEY }).result).resolves.toBe(true);
      authenticate.mockResolvedValue(keyWith('messages:read'));
      await expectDenied(
        call(MixedController, { 'x-api-key': RAW_KEY }).result,
        403,
        'API key lacks the required scope: messages:send',
      );
    });
  });

  describe('access tokens', () => {
    it('pass a route whose role they meet, with the tenant from the token', async () => {
      const { result, req } = call(AgentController, {
        authorization: `Bearer ${await jwt('MANAGER', 'user-7')}`,
      });
      await expect(result).resolves.toBe(true);
      expect(req.principal).toEqual({ kind: 'user', userId: 'user-7', tenantId: TENANT, role: 'MANAGER' });
    });

    it('below the route role get 403', async () => {
      await expectDenied(
        call(AdminController, { authorization: `Bearer ${await jwt('AGENT')}` }).result,
        403,
        'Requires role ADMIN',
      );
    });

    it('are refused on a scopes-only route', async () => {
      await expectDenied(
        call(AnyKeyController, { authorization: `Bearer ${await jwt('ADMIN')}` }).result,
        403,
        'only available to API keys',
      );
      await expectDenied(
        call(ContactsReadController, { authorization: `Bearer ${await jwt('ADMIN')}` }).result,
        403,
        'only available to API keys',
      );
    });

    it('of a platform admin are refused on tenant routes', async () => {
      await expectDenied(
        call(AdminController, { authorization: `Bearer ${await jwt('SUPERADMIN')}` }).result,
        403,
        'Platform administrators',
      );
    });

    it('of a blocked user or tenant get 401', async () => {
      isBlocked.mockResolvedValue(true);
      await expectDenied(
        call(AgentController, { authorization: `Bearer ${await jwt('ADMIN', 'user-9')}` }).result,
        401,
        'no longer active',
      );
      expect(isBlocked).toHaveBeenCalledWith('user-9', TENANT);
    });

    it('signed with another secret get 401', async () => {
      const forged = await new TokenService({
        ...config,
        JWT_SECRET: 'another-secret-0123456789abcdef0123456',
      }).signAccess({ sub: 'u', role: 'ADMIN', tenantId: TENANT });
      await expectDenied(
        call(AgentController, { authorization: `Bearer ${forged}` }).result,
        401,
        'Access token is invalid',
      );
    });

    it('are tried before an API key: a valid token wins and the key is never looked up', async () => {
      const { result, req } = call(AdminController, {
        authorization: `Bearer ${await jwt('ADMIN')}`,
        'x-api-key': RAW_KEY,
      });
      await expect(result).resolves.toBe(true);
      expect(req.principal?.kind).toBe('user');
      expect(authenticate).not.toHaveBeenCalled();
    });

    it('that are invalid do not fall back to an API key sent alongside', async () => {
      authenticate.mockResolvedValue(keyWith('messages:send'));
      await expectDenied(
        call(MixedController, { authorization: 'Bearer not-a-jwt', 'x-api-key': RAW_KEY }).result,
        401,
        'Access token is invalid',
      );
      expect(authenticate).not.toHaveBeenCalled();
    });
  });

  it('rejects an Authorization header that is not "Bearer <token>"', async () => {
    await expectDenied(
      call(AgentController, { authorization: 'Basic dXNlcjpwYXNz' }).result,
      401,
      'Bearer <token>',
    );
    await expectDenied(call(AgentController, { authorization: 'Bearer' }).result, 401, 'Bearer <token>');
  });

  it('answers 401 when a guarded route gets no credentials', async () => {
    await expectDenied(call(AdminController).result, 401, 'Authentication required');
    await expectDenied(call(ContactsReadController).result, 401, 'Authentication required');
    await expectDenied(
      call(ContactsReadController, { 'x-api-key': '' }).result,
      401,
      'Authentication required',
    );
    expect(authenticate).not.toHaveBeenCalled();
  });
});
