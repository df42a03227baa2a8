import { Body, Controller, Delete, Get, Param, Patch, Post, Query } from '@nestjs/common';
import {
  ZCreateFlowRequest,
  ZFlow,
  ZFlowPage,
  ZFlowSessionDetail,
  ZFlowSessionPage,
  ZFlowSessionParams,
  ZFlowVersionList,
  ZFlowWebhookSecretRequest,
  ZIdParams,
  ZListFlowSessionsQuery,
  ZListFlowsQuery,
  ZOkResponse,
  ZTestFlowRequest,
  ZTriggerFlowRequest,
  ZTriggerFlowResponse,
  ZUpdateFlowRequest,
  type TCreateFlowRequest,
  type TFlowSessionParams,
  type TFlowWebhookSecretRequest,
  type TIdParams,
  type TListFlowSessionsQuery,
  type TListFlowsQuery,
  type TTestFlowRequest,
  type TTriggerFlowRequest,
  type TUpdateFlowRequest,
} from '@orbitdesk/shared';
import { Roles, Scopes } from '../../common/auth/access.decorators.js';
import { Contract } from '../../common/http/contract.js';
import { FlowsService } from './flows.service.js';

const INVALID_GRAPH = 'The graph is invalid: details.problems lists each problem with its node id';

@Controller('flows')
@Roles('MANAGER')
export class FlowsController {
  constructor(private readonly flows: FlowsService) {}

  @Get()
  @Scopes('flows:read')
  @Contract({
    summary: 'List flows, newest first',
    tags: ['Flows'],
    query: ZListFlowsQuery,
    response: ZFlowPage,
  })
  list(@Query() query: TListFlowsQuery) {
    return this.flows.list(query);
  }

  @Post()
  @Contract({
    summary: 'Create a flow (DRAFT) with its trigger and, optionally, its graph',
    tags: ['Flows'],
    body: ZCreateFlowRequest,
    response: ZFlow,
    status: 201,
    errors: { 400: INVALID_GRAPH },
  })
  create(@Body() body: TCreateFlowRequest) {
    return this.flows.create(body);
  }

  @Get(':id')
  @Scopes('flows:read')
  @Contract({ summary: 'One flow with its draft graph', tags: ['Flows'], params: ZIdParams, response: ZFlow })
  get(@Param() { id }: TIdParams) {
    return this.flows.get(id);
  }

  @Patch(':id')
  @Contract({
    summary: 'Change a flow: name, trigger, priority, draft graph, or status (ACTIVE, PAUSED, ARCHIVED)',
    tags: ['Flows'],
    params: ZIdParams,
    body: ZUpdateFlowRequest,
    response: ZFlow,
    errors: { 400: INVALID_GRAPH, 422: 'ACTIVE before the flow was ever published' },
  })
  update(@Param() { id }: TIdParams, @Body() body: TUpdateFlowRequest) {
    return this.flows.update(id, body);
  }

  @Delete(':id')
  @Contract({
    summary: 'Delete a flow with its versions and sessions',
    tags: ['Flows'],
    params: ZIdParams,
    response: ZOkResponse,
  })
  remove(@Param() { id }: TIdParams) {
    return this.flows.remove(id);
  }

  @Post(':id/publish')
  @Contract({
    summary: 'Publish the draft as a new immutable version and activate the flow',
    tags: ['Flows'],
    params: ZIdParams,
    response: ZFlow,
    status: 200,
    errors: { 400: INVALID_GRAPH },
  })
  publish(@Param() { id }: TIdParams) {
    return this.flows.publish(id);
  }

  @Get(':id/versions')
  @Scopes('flows:read')
  @Contract({
    summary: 'Published versions of a flow, newest first',
    tags: ['Flows'],
    params: ZIdParams,
    response: ZFlowVersionList,
  })
  versions(@Param() { id }: TIdParams) {
    return this.flows.versions(id);
  }

  @Post(':id/regenerate-webhook-token')
  @Contract({
    summary: 'Give the webhook trigger a new URL; the old one stops working at once',
    tags: ['Flows'],
    params: ZIdParams,
    response: ZFlow,
    status: 200,
    errors: { 422: 'The flow is not started by a webhook' },
  })
  regenerateWebhookToken(@Param() { id }: TIdParams) {
    return this.flows.regenerateWebhookToken(id);
  }

  @Patch(':id/webhook-secret')
  @Contract({
    summary: 'Set (or clear with null) the HMAC-SHA256 secret webhook calls must be signed with',
    tags: ['Flows'],
    params: ZIdParams,
    body: ZFlowWebhookSecretRequest,
    response: ZFlow,
    errors: { 422: 'The flow is not started by a webhook' },
  })
  setWebhookSecret(@Param() { id }: TIdParams, @Body() body: TFlowWebhookSecretRequest) {
    return this.flows.setWebhookSecret(id, body.secret);
  }

  @Post(':id/trigger')
  @Scopes('flows:trigger')
  @Contract({
    summary: 'Start an active flow for a contact (runs in the background)',
    tags: ['Flows'],
    params: ZIdParams,
    body: ZTriggerFlowRequest,
    response: ZTriggerFlowResponse,
    status: 202,
    errors: { 404: 'Flow or contact not found', 422: 'The flow is not ACTIVE' },
  })
  trigger(@Param() { id }: TIdParams, @Body() body: TTriggerFlowRequest) {
    return this.flows.trigger(id, body.contactId);
  }

  @Post(':id/test')
  @Contract({
    summary: 'Test-run a flow: nothing is sent; answers with the step-by-step log',
    tags: ['Flows'],
    params: ZIdParams,
    body: ZTestFlowRequest,
    response: ZFlowSessionDetail,
    status: 200,
    errors: { 400: INVALID_GRAPH, 404: 'Flow or contact not found' },
  })
  test(@Param() { id }: TIdParams, @Body() body: TTestFlowRequest) {
    return this.flows.test(id, body);
  }

  @Get(':id/sessions')
  @Scopes('flows:read')
  @Contract({
    summary: 'Sessions of a flow, newest first',
    tags: ['Flows'],
    params: ZIdParams,
    query: ZListFlowSessionsQuery,
    response: ZFlowSessionPage,
  })
  sessions(@Param() { id }: TIdParams, @Query() query: TListFlowSessionsQuery) {
    return this.flows.listSessions(id, query);
  }

  @Get(':id/sessions/:sessionId')
  @Scopes('flows:read')
  @Contract({
    summary: 'One session with its execution log',
    tags: ['Flows'],
    params: ZFlowSessionParams,
    response: ZFlowSessionDetail,
  })
  session(@Param() { id, sessionId }: TFlowSessionParams) {
    return this.flows.getSession(id, sessionId);
  }
}
