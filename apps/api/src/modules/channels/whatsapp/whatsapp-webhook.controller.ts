import { Body, Controller, Get, Headers, Post, Query, Req, Res, type RawBodyRequest } from '@nestjs/common';
import {
  ZWhatsAppVerifyQuery,
  ZWhatsAppWebhookPayload,
  type TWhatsAppVerifyQuery,
  type TWhatsAppWebhookPayload,
} from '@orbitdesk/shared';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Public } from '../../../common/auth/access.decorators.js';
import { Contract } from '../../../common/http/contract.js';
import { ProviderWebhook } from '../../../common/rate-limit/rate-limit.hook.js';
import { WhatsAppWebhookService } from './whatsapp-webhook.service.js';
import { SIGNATURE_HEADER } from './whatsapp.signature.js';

/**
 * Meta's WhatsApp Business Account webhook. Public to the auth guard because the caller is Meta: the handshake is
 * authenticated by an inbox's verify token, every delivery by X-Hub-Signature-256 (WhatsAppWebhookService).
 */
@Controller('whatsapp/webhook')
@Public()
export class WhatsAppWebhookController {
  constructor(private readonly webhook: WhatsAppWebhookService) {}

  @Get()
  @ProviderWebhook()
  @Contract({
    summary: 'WhatsApp webhook verification (Meta answers hub.challenge to a matching hub.verify_token)',
    tags: ['Channels'],
    query: ZWhatsAppVerifyQuery,
    errors: { 403: 'hub.mode is not subscribe, or no WhatsApp inbox has this verify token' },
  })
  async verify(
    @Query() query: TWhatsAppVerifyQuery,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<string> {
    const challenge = await this.webhook.verifySubscription(query);
    // Meta reads the challenge back as the bare body; set only on success so errors stay JSON.
    void reply.type('text/plain; charset=utf-8');
    return challenge;
  }

  @Post()
  @ProviderWebhook()
  @Contract({
    summary: 'WhatsApp Cloud API webhook: messages and delivery statuses (X-Hub-Signature-256)',
    tags: ['Channels'],
    body: ZWhatsAppWebhookPayload,
    status: 200,
    errors: {
      400: 'Not a WhatsApp Business Account payload',
      401: 'Missing signature, or it matches the app secret of no connected number',
    },
  })
  receive(
    @Req() req: RawBodyRequest<FastifyRequest>,
    @Headers(SIGNATURE_HEADER) signature: string | undefined,
    @Body() payload: TWhatsAppWebhookPayload,
  ): Promise<void> {
    return this.webhook.receive(req.rawBody, signature, payload);
  }
}
