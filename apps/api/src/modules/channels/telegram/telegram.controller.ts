import { Body, Controller, Headers, Param, Post } from '@nestjs/common';
import { ZTelegramWebhookParams, type TTelegramWebhookParams } from '@orbitdesk/shared';
import { Public } from '../../../common/auth/access.decorators.js';
import { Contract } from '../../../common/http/contract.js';
import { ProviderWebhook } from '../../../common/rate-limit/rate-limit.hook.js';
import { TelegramInboundService } from './telegram-inbound.service.js';

/**
 * Telegram's webhook. Public to the auth guard because the caller is Telegram: each delivery is authenticated by
 * the inbox's path token and X-Telegram-Bot-Api-Secret-Token (TelegramInboundService). The body has no contract:
 * it is read only after the delivery is verified, and an update this inbox does not understand is acknowledged
 * and skipped (Telegram would otherwise send it again and again).
 */
@Controller('channels/telegram')
@Public()
export class TelegramController {
  constructor(private readonly inbound: TelegramInboundService) {}

  @Post(':token/webhook')
  @ProviderWebhook()
  @Contract({
    summary: 'Receive a Telegram update (X-Telegram-Bot-Api-Secret-Token)',
    description:
      'The URL registered with setWebhook when the inbox was connected. Answers 200 with no body once the ' +
      'delivery is verified; the update is stored right after.',
    tags: ['Channels'],
    params: ZTelegramWebhookParams,
    status: 200,
    errors: {
      401: 'Unknown webhook path, or missing or invalid X-Telegram-Bot-Api-Secret-Token',
      403: 'The inbox is disabled',
    },
  })
  receive(
    @Param() { token }: TTelegramWebhookParams,
    @Headers('x-telegram-bot-api-secret-token') secret: string | undefined,
    @Body() update: unknown,
  ): Promise<void> {
    return this.inbound.receive(token, secret, update);
  }
}
