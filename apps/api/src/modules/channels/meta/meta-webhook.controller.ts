import { Controller, Get, Headers, Post, Query, Req, Res, type RawBodyRequest } from '@nestjs/common';
import {
  ZMetaWebhookAck,
  ZMetaWebhookHandshakeQuery,
  type TMetaWebhookAck,
  type TMetaWebhookHandshakeQuery,
} from '@orbitdesk/shared';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Public } from '../../../common/auth/access.decorators.js';
import { Contract } from '../../../common/http/contract.js';
import { ProviderWebhook } from '../../../common/rate-limit/rate-limit.hook.js';
import { MetaWebhookService } from './meta-webhook.service.js';
import { SIGNATURE_HEADER } from './meta-webhook.signature.js';

/**
 * Meta's webhook for Messenger and Instagram DM. Public to the auth guard because Meta is the caller: the handshake
 * is authenticated by an inbox's verify token, every post by X-Hub-Signature-256 (MetaWebhookService). The post
 * body is read only after its signature verified, so it has no schema here.
 */
@Controller('channels/meta/webhook')
@Public()
export class MetaWebhookController {
  constructor(private readonly webhook: MetaWebhookService) {}

  @Get()
  @ProviderWebhook()
  @Contract({
    summary: 'Meta webhook handshake for Messenger and Instagram (answers hub.challenge as text/plain)',
    tags: ['Channels'],
    query: ZMetaWebhookHandshakeQuery,
    errors: { 403: 'hub.mode is not subscribe, or the verify token matches no Messenger or Instagram inbox' },
  })
  async handshake(
    @Query() query: TMetaWebhookHandshakeQuery,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<string> {
    const challenge = await this.webhook.handshake(query);
    void reply.type('text/plain; charset=utf-8');
    return challenge;
  }

  @Post()
  @ProviderWebhook()
  @Contract({
    summary: 'Meta webhook events for Messenger and Instagram (X-Hub-Signature-256)',
    tags: ['Channels'],
    response: ZMetaWebhookAck,
    status: 200,
    errors: { 401: 'Missing or invalid X-Hub-Signature-256, or no inbox the payload routes to' },
  })
  async receive(
    @Req() req: RawBodyRequest<FastifyRequest>,
    @Headers(SIGNATURE_HEADER) signature: string | undefined,
  ): Promise<TMetaWebhookAck> {
    await this.webhook.receive(req.rawBody, signature, req.body);
    return { received: true };
  }
}
