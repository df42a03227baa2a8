import { Controller, Get } from '@nestjs/common';
import { ZApiKeySelf } from '@orbitdesk/shared';
import { CurrentPrincipal, Scopes } from '../../common/auth/access.decorators.js';
import type { Principal } from '../../common/auth/principal.js';
import { Contract } from '../../common/http/contract.js';
import { forbidden } from '../../common/http/errors.js';
import { ApiKeysService } from './api-keys.service.js';

/**
 * "Who am I" for API keys. A separate controller because ApiKeysController is ADMIN-only for people, while this
 * route is for any valid key: @Scopes() with no scopes admits every key, and without @Roles no JWT gets in.
 */
@Controller('api-keys/self')
@Scopes()
export class ApiKeySelfController {
  constructor(private readonly apiKeys: ApiKeysService) {}

  @Get()
  @Contract({
    summary: 'The calling API key: its name, scopes and expiry',
    tags: ['API keys'],
    response: ZApiKeySelf,
  })
  self(@CurrentPrincipal() principal: Principal) {
    // The guard already admits only API keys here; this narrows the type and keeps the route closed if that changes.
    if (principal.kind !== 'api_key') throw forbidden('This endpoint is only available to API keys');
    return this.apiKeys.self(principal.keyId);
  }
}
