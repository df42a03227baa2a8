import { Body, Controller, Delete, Get, Param, Patch, Post, Put } from '@nestjs/common';
import {
  ZChannel,
  ZChannelList,
  ZChannelMembers,
  ZChannelTestResult,
  ZChannelWithSecret,
  ZCreateChannelRequest,
  ZIdParams,
  ZSetMembersRequest,
  ZUpdateChannelRequest,
  type TCreateChannelRequest,
  type TIdParams,
  type TSetMembersRequest,
  type TUpdateChannelRequest,
} from '@orbitdesk/shared';
import { Roles } from '../../common/auth/access.decorators.js';
import { Contract } from '../../common/http/contract.js';
import { ChannelsService } from './channels.service.js';

@Controller('channels')
@Roles('ADMIN')
export class ChannelsController {
  constructor(private readonly channels: ChannelsService) {}

  @Get()
  @Contract({ summary: 'List the inboxes of the workspace', tags: ['Channels'], response: ZChannelList })
  list() {
    return this.channels.list();
  }

  @Post()
  @Contract({
    summary:
      'Connect an account of any channel type (an API inbox gets an inbound secret, returned this once)',
    tags: ['Channels'],
    body: ZCreateChannelRequest,
    response: ZChannelWithSecret,
    status: 201,
    errors: {
      409: 'The account is already connected to an inbox',
      422: 'The provider refused the credentials',
    },
  })
  create(@Body() body: TCreateChannelRequest) {
    return this.channels.create(body);
  }

  @Get(':id')
  @Contract({ summary: 'One inbox', tags: ['Channels'], params: ZIdParams, response: ZChannel })
  get(@Param() { id }: TIdParams) {
    return this.channels.get(id);
  }

  @Patch(':id')
  @Contract({
    summary: 'Rename, reconfigure, enable or disable an inbox',
    tags: ['Channels'],
    params: ZIdParams,
    body: ZUpdateChannelRequest,
    response: ZChannel,
  })
  update(@Param() { id }: TIdParams, @Body() body: TUpdateChannelRequest) {
    return this.channels.update(id, body);
  }

  @Delete(':id')
  @Contract({
    summary: 'Delete an inbox with its conversations and messages',
    tags: ['Channels'],
    params: ZIdParams,
    response: ZChannel,
  })
  remove(@Param() { id }: TIdParams) {
    return this.channels.remove(id);
  }

  @Post(':id/test')
  @Contract({
    summary: 'Ask the provider whether the stored credentials work; says plainly what is wrong',
    tags: ['Channels'],
    params: ZIdParams,
    response: ZChannelTestResult,
    status: 200,
  })
  test(@Param() { id }: TIdParams) {
    return this.channels.test(id);
  }

  @Post(':id/rotate-secret')
  @Contract({
    summary: 'Replace the inbound secret of an API inbox (the new one is returned once)',
    tags: ['Channels'],
    params: ZIdParams,
    response: ZChannelWithSecret,
    status: 200,
  })
  rotateSecret(@Param() { id }: TIdParams) {
    return this.channels.rotateSecret(id);
  }

  @Get(':id/members')
  @Contract({
    summary: 'The agents of an inbox (round-robin assignment picks among them)',
    tags: ['Channels'],
    params: ZIdParams,
    response: ZChannelMembers,
  })
  members(@Param() { id }: TIdParams) {
    return this.channels.members(id);
  }

  @Put(':id/members')
  @Contract({
    summary: 'Replace the agents of an inbox',
    tags: ['Channels'],
    params: ZIdParams,
    body: ZSetMembersRequest,
    response: ZChannelMembers,
    errors: { 422: 'A user id is not a user of the workspace' },
  })
  setMembers(@Param() { id }: TIdParams, @Body() body: TSetMembersRequest) {
    return this.channels.setMembers(id, body);
  }
}
