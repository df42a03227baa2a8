import { Controller, Get, Param, Post, Req, type RawBodyRequest } from '@nestjs/common';
import {
  ZFlowWebhookAck,
  ZFlowWebhookInfo,
  ZFlowWebhookParams,
  type TFlowWebhookAck,
  type TFlowWebhookInfo,
  type TFlowWebhookParams,
} from '@orbitdesk/shared';
import type { FastifyRequest } from 'fastify';
import { Public } from '../../../common/auth/access.decorators.js';
import { Contract } from '../../../common/http/contract.js';
import { ProviderWebhook } from '../../../common/rate-limit/rate-limit.hook.js';
import { FlowWebhookService } from './flow-webhook.service.js';

/**
 * Webhook triggers of flows. Public to the auth guard because the caller is any outside system: the unguessable
 * URL token finds the flow and, when the flow has a secret, the body's HMAC signature authenticates the call.
 * The body is the flow's input as given, so it has no schema here (bodies over 1 MiB are refused with 413).
 */
@Controller('webhooks/:token')
@Public()
export class FlowWebhookController {
  constructor(private readonly webhooks: FlowWebhookService) {}

  @Post()
  @ProviderWebhook()
  @Contract({
    summary:
      'Start a flow from an outside system (signed with x-hub-signature-256 when the flow has a secret)',
    tags: ['Flows'],
    params: ZFlowWebhookParams,
    response: ZFlowWebhookAck,
    status: 200,
    errors: {
      403: 'The flow is not active, or its signature is missing or wrong',
      404: 'No flow has this webhook token',
      413: 'The body is larger than 1 MiB',
    },
  })
  receive(
    @Param() { token }: TFlowWebhookParams,
    @Req() req: RawBodyRequest<FastifyRequest>,
  ): Promise<TFlowWebhookAck> {
    return this.webhooks.receive(token, {
      method: req.method,
      headers: req.headers,
      query: (req.query ?? {}) as Record<string, string | string[]>,
      body: req.body,
      rawBody: req.rawBody,
    });
  }

  @Get()
  @ProviderWebhook()
  @Contract({
    summary: 'Which flow a webhook URL starts, and whether it is active',
    tags: ['Flows'],
    params: ZFlowWebhookParams,
    response: ZFlowWebhookInfo,
    errors: { 404: 'No flow has this webhook token' },
  })
  info(@Param() { token }: TFlowWebhookParams): Promise<TFlowWebhookInfo> {
    return this.webhooks.info(token);
  }
}
