import { Body, Controller, Headers, Post, Query, Req, Res } from '@nestjs/common';
import { ZTwilioStatusCallbackQuery, type TTwilioStatusCallbackQuery } from '@orbitdesk/shared';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Public } from '../../../common/auth/access.decorators.js';
import { Contract } from '../../../common/http/contract.js';
import { ProviderWebhook } from '../../../common/rate-limit/rate-limit.hook.js';
import { TwilioSmsWebhookService } from './twilio-sms.service.js';

const FORM =
  'Twilio posts application/x-www-form-urlencoded fields and signs them, with the full URL, in X-Twilio-Signature ' +
  '(HMAC-SHA1 keyed with the Auth Token of the inbox). The answer is empty TwiML.';

/** Set on success only: an error answer stays the usual JSON error body. */
function twiml(reply: FastifyReply, body: string): string {
  void reply.type('text/xml; charset=utf-8');
  return body;
}

/**
 * Twilio's webhooks. Public to the auth guard because the caller is Twilio: each request is authenticated by its
 * X-Twilio-Signature, checked with the Auth Token of the inbox it is for (TwilioSmsWebhookService).
 */
@Controller('channels/twilio-sms')
@Public()
export class TwilioSmsController {
  constructor(private readonly webhooks: TwilioSmsWebhookService) {}

  @Post('webhook')
  @ProviderWebhook()
  @Contract({
    summary: 'Incoming SMS or MMS from Twilio, routed by the To number (X-Twilio-Signature)',
    description: FORM,
    tags: ['Channels'],
    status: 200,
    errors: { 403: 'Missing or invalid X-Twilio-Signature, unknown number, or the inbox is disabled' },
  })
  async receive(
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
    @Headers('x-twilio-signature') signature: string | undefined,
    @Body() body: unknown,
  ): Promise<string> {
    return twiml(reply, await this.webhooks.receive(req.url, signature, body));
  }

  @Post('status')
  @ProviderWebhook()
  @Contract({
    summary: 'Delivery report (StatusCallback) from Twilio for a message an inbox sent (X-Twilio-Signature)',
    description: FORM,
    tags: ['Channels'],
    query: ZTwilioStatusCallbackQuery,
    status: 200,
    errors: { 403: 'Missing or invalid X-Twilio-Signature, or the inbox is disabled' },
  })
  async status(
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
    @Headers('x-twilio-signature') signature: string | undefined,
    @Query() query: TTwilioStatusCallbackQuery,
    @Body() body: unknown,
  ): Promise<string> {
    return twiml(reply, await this.webhooks.status(req.url, signature, query.inbox, body));
  }
}
