import { Body, Controller, Delete, Get, Param, Patch, Post, Query } from '@nestjs/common';
import {
  ZCreateUserRequest,
  ZCreateUserResponse,
  ZIdParams,
  ZListUsersQuery,
  ZUpdateUserRequest,
  ZUser,
  ZUserPage,
  type TCreateUserRequest,
  type TIdParams,
  type TListUsersQuery,
  type TUpdateUserRequest,
} from '@orbitdesk/shared';
import { Roles } from '../../common/auth/access.decorators.js';
import { Contract } from '../../common/http/contract.js';
import { UsersService } from './users.service.js';

@Controller('users')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Get()
  @Roles('AGENT')
  @Contract({
    summary: 'List the users of the workspace',
    tags: ['Users'],
    query: ZListUsersQuery,
    response: ZUserPage,
  })
  list(@Query() query: TListUsersQuery) {
    return this.users.list(query);
  }

  @Get(':id')
  @Roles('AGENT')
  @Contract({ summary: 'Get one user', tags: ['Users'], params: ZIdParams, response: ZUser })
  get(@Param() { id }: TIdParams) {
    return this.users.get(id);
  }

  @Post()
  @Roles('ADMIN')
  @Contract({
    summary: 'Create a user, or invite one (no password: the response carries a one-time invitation link)',
    tags: ['Users'],
    body: ZCreateUserRequest,
    response: ZCreateUserResponse,
    status: 201,
    errors: { 409: 'The email is already registered' },
  })
  create(@Body() body: TCreateUserRequest) {
    return this.users.create(body);
  }

  @Patch(':id')
  @Roles('ADMIN')
  @Contract({
    summary: "Change a user's name, role or active state",
    tags: ['Users'],
    params: ZIdParams,
    body: ZUpdateUserRequest,
    response: ZUser,
  })
  update(@Param() { id }: TIdParams, @Body() body: TUpdateUserRequest) {
    return this.users.update(id, body);
  }

  @Delete(':id')
  @Roles('ADMIN')
  @Contract({
    summary: 'Deactivate a user (their sessions end at once)',
    tags: ['Users'],
    params: ZIdParams,
    response: ZUser,
  })
  deactivate(@Param() { id }: TIdParams) {
    return this.users.deactivate(id);
  }
}
