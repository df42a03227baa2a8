import { Body, Controller, Delete, Get, Param, Patch, Post, Query } from '@nestjs/common';
import {
  ZCreateWebhookEndpointRequest,
  ZIdParams,
  ZListWebhookDeliveriesQuery,
  ZUpdateWebhookEndpointRequest,
  ZWebhookDeliveryPage,
  ZWebhookEndpoint,
  ZWebhookEndpointList,
  ZWebhookEndpointWithSecret,
  type TCreateWebhookEndpointRequest,
  type TIdParams,
  type TListWebhookDeliveriesQuery,
  type TUpdateWebhookEndpointRequest,
} from '@orbitdesk/shared';
import { Roles } from '../../common/auth/access.decorators.js';
import { Contract } from '../../common/http/contract.js';
import { WebhooksService } from './webhooks.service.js';

const SIGNING =
  'Each delivery is a POST with the event as JSON and the headers OrbitDesk-Event, OrbitDesk-Delivery and ' +
  'OrbitDesk-Signature: `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">`, keyed with the whole ' +
  'signing secret. Verify it over the raw body, compare in constant time, and refuse a t more than 5 minutes ' +
  'from your clock. Answer 2xx within 10 s; anything else is retried with backoff (by default 30 s, 1 min, ' +
  '2 min … at most 1 h, for 24 hours). Redirects are not followed. Answering 410 Gone disables the endpoint.';

@Controller('outgoing-webhooks/endpoints')
@Roles('ADMIN')
export class WebhookEndpointsController {
  constructor(private readonly webhooks: WebhooksService) {}

  @Get()
  @Contract({ summary: 'List webhook endpoints', tags: ['Webhooks'], response: ZWebhookEndpointList })
  list() {
    return this.webhooks.list();
  }

  @Post()
  @Contract({
    summary: 'Create a webhook endpoint (the signing secret is returned once)',
    description: SIGNING,
    tags: ['Webhooks'],
    body: ZCreateWebhookEndpointRequest,
    response: ZWebhookEndpointWithSecret,
    status: 201,
    errors: {
      400: 'The URL is invalid or points at a private, loopback or metadata address',
      409: 'The workspace already has 20 endpoints',
    },
  })
  create(@Body() body: TCreateWebhookEndpointRequest) {
    return this.webhooks.create(body);
  }

  @Get(':id')
  @Contract({
    summary: 'Get a webhook endpoint',
    tags: ['Webhooks'],
    params: ZIdParams,
    response: ZWebhookEndpoint,
  })
  get(@Param() { id }: TIdParams) {
    return this.webhooks.get(id);
  }

  @Patch(':id')
  @Contract({
    summary: 'Change the URL, description, events or active state of a webhook endpoint',
    tags: ['Webhooks'],
    params: ZIdParams,
    body: ZUpdateWebhookEndpointRequest,
    response: ZWebhookEndpoint,
    errors: { 400: 'The URL is invalid or points at a private, loopback or metadata address' },
  })
  update(@Param() { id }: TIdParams, @Body() body: TUpdateWebhookEndpointRequest) {
    return this.webhooks.update(id, body);
  }

  @Delete(':id')
  @Contract({
    summary: 'Delete a webhook endpoint and its delivery log',
    tags: ['Webhooks'],
    params: ZIdParams,
    response: ZWebhookEndpoint,
  })
  remove(@Param() { id }: TIdParams) {
    return this.webhooks.remove(id);
  }

  @Post(':id/rotate-secret')
  @Contract({
    summary: 'Replace the signing secret of a webhook endpoint (the new one is returned once)',
    tags: ['Webhooks'],
    params: ZIdParams,
    response: ZWebhookEndpointWithSecret,
    status: 200,
  })
  rotateSecret(@Param() { id }: TIdParams) {
    return this.webhooks.rotateSecret(id);
  }

  @Get(':id/deliveries')
  @Contract({
    summary: 'Deliveries to a webhook endpoint, newest first',
    tags: ['Webhooks'],
    params: ZIdParams,
    query: ZListWebhookDeliveriesQuery,
    response: ZWebhookDeliveryPage,
  })
  deliveries(@Param() { id }: TIdParams, @Query() query: TListWebhookDeliveriesQuery) {
    return this.webhooks.listDeliveries(id, query);
  }
}
