import { Body, Controller, Delete, Get, Param, Patch, Post } from '@nestjs/common';
import {
  ZApiKey,
  ZApiKeyList,
  ZCreateApiKeyRequest,
  ZCreateApiKeyResponse,
  ZIdParams,
  ZUpdateApiKeyRequest,
  type TCreateApiKeyRequest,
  type TIdParams,
  type TUpdateApiKeyRequest,
} from '@orbitdesk/shared';
import { Roles } from '../../common/auth/access.decorators.js';
import { Contract } from '../../common/http/contract.js';
import { ApiKeysService } from './api-keys.service.js';

@Controller('api-keys')
@Roles('ADMIN')
export class ApiKeysController {
  constructor(private readonly apiKeys: ApiKeysService) {}

  @Get()
  @Contract({ summary: 'List API keys of the workspace', tags: ['API keys'], response: ZApiKeyList })
  list() {
    return this.apiKeys.list();
  }

  @Post()
  @Contract({
    summary: 'Create an API key (the raw key is returned once)',
    tags: ['API keys'],
    body: ZCreateApiKeyRequest,
    response: ZCreateApiKeyResponse,
    status: 201,
    errors: { 409: 'The workspace already has 20 active keys' },
  })
  create(@Body() body: TCreateApiKeyRequest) {
    return this.apiKeys.create(body);
  }

  @Patch(':id')
  @Contract({
    summary: 'Rename an API key or change its scopes',
    tags: ['API keys'],
    params: ZIdParams,
    body: ZUpdateApiKeyRequest,
    response: ZApiKey,
  })
  update(@Param() { id }: TIdParams, @Body() body: TUpdateApiKeyRequest) {
    return this.apiKeys.update(id, body);
  }

  @Delete(':id')
  @Contract({ summary: 'Revoke an API key', tags: ['API keys'], params: ZIdParams, response: ZApiKey })
  revoke(@Param() { id }: TIdParams) {
    return this.apiKeys.revoke(id);
  }
}
