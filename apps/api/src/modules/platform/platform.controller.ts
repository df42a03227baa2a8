import { Body, Controller, Get, Param, Post, Query } from '@nestjs/common';
import {
  ZIdParams,
  ZListPlatformUsersQuery,
  ZListTenantsQuery,
  ZPlatformUserPage,
  ZTenant,
  ZTenantDecisionRequest,
  ZTenantPage,
  type TIdParams,
  type TListPlatformUsersQuery,
  type TListTenantsQuery,
  type TTenantDecisionRequest,
} from '@orbitdesk/shared';
import { Roles } from '../../common/auth/access.decorators.js';
import { Contract } from '../../common/http/contract.js';
import { PlatformService } from './platform.service.js';

const decision = (summary: string) =>
  Contract({
    summary,
    tags: ['Platform'],
    params: ZIdParams,
    body: ZTenantDecisionRequest,
    response: ZTenant,
    status: 200,
    errors: { 409: 'The tenant is not in a status this decision applies to' },
  });

@Controller('platform')
@Roles('SUPERADMIN')
export class PlatformController {
  constructor(private readonly platform: PlatformService) {}

  @Get('tenants')
  @Contract({ summary: 'List tenants', tags: ['Platform'], query: ZListTenantsQuery, response: ZTenantPage })
  listTenants(@Query() query: TListTenantsQuery) {
    return this.platform.listTenants(query);
  }

  @Get('tenants/:id')
  @Contract({ summary: 'Get one tenant', tags: ['Platform'], params: ZIdParams, response: ZTenant })
  getTenant(@Param() { id }: TIdParams) {
    return this.platform.getTenant(id);
  }

  @Post('tenants/:id/approve')
  @decision('Approve a pending tenant; its users can log in')
  approve(@Param() { id }: TIdParams) {
    return this.platform.decide(id, 'approve');
  }

  @Post('tenants/:id/reject')
  @decision('Reject a pending tenant, with an optional reason shown to its users')
  reject(@Param() { id }: TIdParams, @Body() body: TTenantDecisionRequest) {
    return this.platform.decide(id, 'reject', body.reason);
  }

  @Post('tenants/:id/suspend')
  @decision('Suspend an active tenant; its users and API keys stop working at once')
  suspend(@Param() { id }: TIdParams, @Body() body: TTenantDecisionRequest) {
    return this.platform.decide(id, 'suspend', body.reason);
  }

  @Post('tenants/:id/reactivate')
  @decision('Reactivate a suspended or rejected tenant')
  reactivate(@Param() { id }: TIdParams) {
    return this.platform.decide(id, 'reactivate');
  }

  @Get('users')
  @Contract({
    summary: 'List users across all tenants',
    tags: ['Platform'],
    query: ZListPlatformUsersQuery,
    response: ZPlatformUserPage,
  })
  listUsers(@Query() query: TListPlatformUsersQuery) {
    return this.platform.listUsers(query);
  }
}
