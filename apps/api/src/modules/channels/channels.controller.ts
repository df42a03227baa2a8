import { Body, Controller, Delete, Get, Param, Patch, Post } from '@nestjs/common';
import {
  ZChannel,
  ZChannelList,
  ZChannelWithSecret,
  ZCreateChannelRequest,
  ZIdParams,
  ZUpdateChannelRequest,
  type TCreateChannelRequest,
  type TIdParams,
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
    summary: 'Create an API inbox (its inbound secret is returned once)',
    tags: ['Channels'],
    body: ZCreateChannelRequest,
    response: ZChannelWithSecret,
    status: 201,
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
}
