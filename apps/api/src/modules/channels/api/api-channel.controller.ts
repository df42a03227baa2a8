import { Body, Controller, Headers, Injectable, Param, Post, type OnModuleInit } from '@nestjs/common';
import {
  ZApiInboundMessageRequest,
  ZApiStatusUpdateRequest,
  ZInboundMessageResponse,
  ZInboxParams,
  ZStatusUpdateResponse,
  type TApiInboundMessageRequest,
  type TApiStatusUpdateRequest,
  type TInboxParams,
} from '@orbitdesk/shared';
import { ProviderWebhook } from '../../../common/rate-limit/rate-limit.hook.js';
import { Public } from '../../../common/auth/access.decorators.js';
import { Contract } from '../../../common/http/contract.js';
import { DirectRoutes } from '../../../common/http/direct-routes.js';
import { ApiChannelService } from './api-channel.service.js';

/**
 * POST /channels/api/:inboxId/messages, the `api` inbox's inbound webhook: the hottest public route, so Fastify
 * serves it directly (common/http/direct-routes.ts) with the same contract, validation, error bodies and rate
 * budget as a controller route.
 */
@Injectable()
export class ApiChannelInboundRoute implements OnModuleInit {
  constructor(
    private readonly routes: DirectRoutes,
    private readonly api: ApiChannelService,
  ) {}

  onModuleInit(): void {
    this.routes.register({
      method: 'POST',
      path: 'channels/api/:inboxId/messages',
      controller: 'ApiChannelController',
      handler: 'receive',
      webhook: true,
      contract: {
        summary: 'Deliver an inbound message to an API inbox (X-Inbox-Secret)',
        tags: ['Channels'],
        params: ZInboxParams,
        body: ZApiInboundMessageRequest,
        response: ZInboundMessageResponse,
        status: 200,
        errors: { 401: 'Missing or invalid X-Inbox-Secret', 403: 'The inbox is disabled' },
      },
      handle: ({ params, body, headers }) => {
        const secret = headers['x-inbox-secret'];
        return this.api.receive(
          (params as TInboxParams).inboxId,
          typeof secret === 'string' ? secret : undefined,
          body as TApiInboundMessageRequest,
        );
      },
    });
  }
}

/**
 * Webhooks of `api` inboxes. Public to the auth guard because the caller is a tenant's system, not a user or an
 * API key: each request is authenticated by the inbox's own secret in X-Inbox-Secret (ApiChannelService).
 */
@Controller('channels/api/:inboxId')
@Public()
export class ApiChannelController {
  constructor(private readonly api: ApiChannelService) {}

  @Post('status')
  @ProviderWebhook()
  @Contract({
    summary: 'Report delivered, read or failed for a message sent through an API inbox (X-Inbox-Secret)',
    tags: ['Channels'],
    params: ZInboxParams,
    body: ZApiStatusUpdateRequest,
    response: ZStatusUpdateResponse,
    status: 200,
    errors: { 401: 'Missing or invalid X-Inbox-Secret', 404: 'No message with this provider id' },
  })
  status(
    @Param() { inboxId }: TInboxParams,
    @Headers('x-inbox-secret') secret: string | undefined,
    @Body() body: TApiStatusUpdateRequest,
  ) {
    return this.api.updateStatus(inboxId, secret, body);
  }
}
