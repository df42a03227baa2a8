import { Body, Controller, Post } from '@nestjs/common';
import { ZMessage, ZSendMessageRequest, type TSendMessageRequest } from '@orbitdesk/shared';
import { Roles, Scopes } from '../../common/auth/access.decorators.js';
import { Contract } from '../../common/http/contract.js';
import { MessagesService } from './messages.service.js';

@Controller('messages')
@Roles('AGENT')
@Scopes('messages:send')
export class MessagesController {
  constructor(private readonly messages: MessagesService) {}

  @Post()
  @Contract({
    summary: 'Send a message in a conversation, or add a private note',
    description:
      'Stored as `queued` and delivered by the worker; follow its status on the conversation. On WhatsApp, ' +
      'Messenger and Instagram only templates may be sent more than 24 hours after the contact last wrote.',
    tags: ['Messages'],
    body: ZSendMessageRequest,
    response: ZMessage,
    status: 201,
    errors: { 422: 'Outside the customer-service window, or the inbox is disabled' },
  })
  send(@Body() body: TSendMessageRequest) {
    return this.messages.send(body);
  }
}
