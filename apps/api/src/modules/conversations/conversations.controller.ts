import { Body, Controller, Get, Param, Patch, Post, Query } from '@nestjs/common';
import {
  ZConversation,
  ZConversationPage,
  ZIdParams,
  ZListConversationsQuery,
  ZListMessagesQuery,
  ZMessagePage,
  ZUpdateConversationRequest,
  type TIdParams,
  type TListConversationsQuery,
  type TListMessagesQuery,
  type TUpdateConversationRequest,
} from '@orbitdesk/shared';
import { Roles, Scopes } from '../../common/auth/access.decorators.js';
import { Contract } from '../../common/http/contract.js';
import { ConversationsService } from './conversations.service.js';

@Controller('conversations')
@Roles('AGENT')
export class ConversationsController {
  constructor(private readonly conversations: ConversationsService) {}

  @Get()
  @Scopes('conversations:read')
  @Contract({
    summary: 'The inbox: conversations by latest activity, filtered',
    tags: ['Conversations'],
    query: ZListConversationsQuery,
    response: ZConversationPage,
  })
  list(@Query() query: TListConversationsQuery) {
    return this.conversations.list(query);
  }

  @Get(':id')
  @Scopes('conversations:read')
  @Contract({
    summary: 'One conversation',
    tags: ['Conversations'],
    params: ZIdParams,
    response: ZConversation,
  })
  get(@Param() { id }: TIdParams) {
    return this.conversations.get(id);
  }

  @Get(':id/messages')
  @Scopes('messages:read')
  @Contract({
    summary: 'Messages of a conversation, newest first',
    tags: ['Conversations'],
    params: ZIdParams,
    query: ZListMessagesQuery,
    response: ZMessagePage,
  })
  messages(@Param() { id }: TIdParams, @Query() query: TListMessagesQuery) {
    return this.conversations.listMessages(id, query);
  }

  @Patch(':id')
  @Contract({
    summary: 'Change status (or snooze until a time), assignee, team, tags or priority',
    description:
      'A snoozed conversation opens again by itself at `snoozedUntil`, or earlier when the contact writes. A new ' +
      'assignee other than the caller receives an `assignment` notification.',
    tags: ['Conversations'],
    params: ZIdParams,
    body: ZUpdateConversationRequest,
    response: ZConversation,
    errors: { 422: 'The assignee is not an active user of the workspace, or the team does not exist' },
  })
  update(@Param() { id }: TIdParams, @Body() body: TUpdateConversationRequest) {
    return this.conversations.update(id, body);
  }

  @Post(':id/read')
  @Contract({
    summary: 'Mark the conversation read: the unread count goes to zero and the channel tells the contact',
    description:
      'On WhatsApp Cloud the latest inbound message is marked read (blue ticks); channels without read ' +
      'receipts only clear the count.',
    tags: ['Conversations'],
    params: ZIdParams,
    response: ZConversation,
    status: 200,
  })
  read(@Param() { id }: TIdParams) {
    return this.conversations.markRead(id);
  }
}
