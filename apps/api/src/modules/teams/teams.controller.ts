import { Body, Controller, Delete, Get, Param, Patch, Post, Put } from '@nestjs/common';
import {
  ZCreateTeamRequest,
  ZIdParams,
  ZSetMembersRequest,
  ZTeam,
  ZTeamList,
  ZUpdateTeamRequest,
  type TCreateTeamRequest,
  type TIdParams,
  type TSetMembersRequest,
  type TUpdateTeamRequest,
} from '@orbitdesk/shared';
import { Roles } from '../../common/auth/access.decorators.js';
import { Contract } from '../../common/http/contract.js';
import { TeamsService } from './teams.service.js';

@Controller('teams')
@Roles('MANAGER')
export class TeamsController {
  constructor(private readonly teams: TeamsService) {}

  @Get()
  @Roles('AGENT')
  @Contract({ summary: 'List the teams of the workspace', tags: ['Teams'], response: ZTeamList })
  list() {
    return this.teams.list();
  }

  @Post()
  @Contract({
    summary: 'Create a team',
    tags: ['Teams'],
    body: ZCreateTeamRequest,
    response: ZTeam,
    status: 201,
    errors: { 409: 'Another team of the workspace has this name' },
  })
  create(@Body() body: TCreateTeamRequest) {
    return this.teams.create(body);
  }

  @Get(':id')
  @Roles('AGENT')
  @Contract({ summary: 'One team with its members', tags: ['Teams'], params: ZIdParams, response: ZTeam })
  get(@Param() { id }: TIdParams) {
    return this.teams.get(id);
  }

  @Patch(':id')
  @Contract({
    summary: 'Rename a team',
    tags: ['Teams'],
    params: ZIdParams,
    body: ZUpdateTeamRequest,
    response: ZTeam,
    errors: { 409: 'Another team of the workspace has this name' },
  })
  update(@Param() { id }: TIdParams, @Body() body: TUpdateTeamRequest) {
    return this.teams.update(id, body);
  }

  @Delete(':id')
  @Contract({
    summary: 'Delete a team (its conversations keep their assignee and lose the team)',
    tags: ['Teams'],
    params: ZIdParams,
    response: ZTeam,
  })
  remove(@Param() { id }: TIdParams) {
    return this.teams.remove(id);
  }

  @Put(':id/members')
  @Contract({
    summary: 'Replace the members of a team',
    tags: ['Teams'],
    params: ZIdParams,
    body: ZSetMembersRequest,
    response: ZTeam,
    errors: { 422: 'A user id is not a user of the workspace' },
  })
  setMembers(@Param() { id }: TIdParams, @Body() body: TSetMembersRequest) {
    return this.teams.setMembers(id, body);
  }
}
