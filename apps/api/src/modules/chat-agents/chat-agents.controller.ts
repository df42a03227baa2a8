import { Body, Controller, Delete, Get, Param, Patch, Post } from '@nestjs/common';
import {
  ZChatAgent,
  ZChatAgentList,
  ZChatAgentPreviewRequest,
  ZChatAgentPreviewResponse,
  ZCreateChatAgentRequest,
  ZIdParams,
  ZUpdateChatAgentRequest,
  type TCreateChatAgentRequest,
  type TIdParams,
  type TUpdateChatAgentRequest,
} from '@orbitdesk/shared';
import { Roles } from '../../common/auth/access.decorators.js';
import { Contract } from '../../common/http/contract.js';
import { ChatAgentsService } from './chat-agents.service.js';

const LINKS_400 =
  'A knowledge base or inbox id is not one of this workspace, or the fields contradict each other';

@Controller('chat-agents')
@Roles('ADMIN')
export class ChatAgentsController {
  constructor(private readonly agents: ChatAgentsService) {}

  @Get()
  @Roles('AGENT')
  @Contract({ summary: 'List the AI chat agents of the workspace', tags: ['AI'], response: ZChatAgentList })
  list() {
    return this.agents.list();
  }

  @Post()
  @Contract({
    summary: 'Create an AI chat agent (assigning inboxes takes them from any other agent)',
    tags: ['AI'],
    body: ZCreateChatAgentRequest,
    response: ZChatAgent,
    status: 201,
    errors: { 400: LINKS_400, 409: 'Another chat agent of the workspace has this name' },
  })
  create(@Body() body: TCreateChatAgentRequest) {
    return this.agents.create(body);
  }

  @Get(':id')
  @Roles('AGENT')
  @Contract({ summary: 'One AI chat agent', tags: ['AI'], params: ZIdParams, response: ZChatAgent })
  get(@Param() { id }: TIdParams) {
    return this.agents.get(id);
  }

  @Patch(':id')
  @Contract({
    summary: 'Change an AI chat agent (disabling it lets go of its conversations)',
    tags: ['AI'],
    params: ZIdParams,
    body: ZUpdateChatAgentRequest,
    response: ZChatAgent,
    errors: { 400: LINKS_400, 409: 'Another chat agent of the workspace has this name' },
  })
  update(@Param() { id }: TIdParams, @Body() body: TUpdateChatAgentRequest) {
    return this.agents.update(id, body);
  }

  @Delete(':id')
  @Contract({
    summary: 'Delete an AI chat agent (its conversations stay open, for people)',
    tags: ['AI'],
    params: ZIdParams,
    response: ZChatAgent,
  })
  remove(@Param() { id }: TIdParams) {
    return this.agents.remove(id);
  }

  @Post(':id/preview')
  @Contract({
    summary:
      'Try an agent on one message with its provider, persona and knowledge (no tools run, nothing sent)',
    tags: ['AI'],
    params: ZIdParams,
    body: ZChatAgentPreviewRequest,
    response: ZChatAgentPreviewResponse,
    status: 200,
    errors: { 502: 'The AI service failed', 503: 'The AI service is unreachable' },
  })
  preview(@Param() { id }: TIdParams, @Body() body: { message: string }) {
    return this.agents.preview(id, body.message);
  }
}
