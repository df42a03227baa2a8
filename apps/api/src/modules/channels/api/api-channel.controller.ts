import { Body, Controller, Headers, Param, Post } from '@nestjs/common';
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
import { ApiChannelService } from './api-channel.service.js';

/**
 * Webhooks of `api` inboxes. Public to the auth guard because the caller is a tenant's system, not a user or an
 * API key: each request is authenticated by the inbox's own secret in X-Inbox-Secret (ApiChannelService).
 */
@Controller('channels/api/:inboxId')
@Public()
export class ApiChannelController {
  constructor(private readonly api: ApiChannelService) {}

  @Post('messages')
  @ProviderWebhook()
  @Contract({
    summary: 'Deliver an inbound message to an API inbox (X-Inbox-Secret)',
    tags: ['Channels'],
    params: ZInboxParams,
    body: ZApiInboundMessageRequest,
    response: ZInboundMessageResponse,
    status: 200,
    errors: { 401: 'Missing or invalid X-Inbox-Secret', 403: 'The inbox is disabled' },
  })
  receive(
    @Param() { inboxId }: TInboxParams,
    @Headers('x-inbox-secret') secret: string | undefined,
    @Body() body: TApiInboundMessageRequest,
  ) {
    return this.api.receive(inboxId, secret, body);
  }

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
