import { HttpStatus, Injectable, type OnModuleInit } from '@nestjs/common';
import type { TChannelTestResult } from '@orbitdesk/shared';
import { AppError, unprocessable } from '../../../common/http/errors.js';
import type { ChannelSecrets } from '../channel-credentials.service.js';
import {
  ChannelTypeRegistry,
  type ChannelTypeContext,
  type ChannelTypeHandler,
  type ConnectOutcome,
} from '../channel-type.js';
import {
  BAD_TOKEN_MESSAGE,
  TelegramApiError,
  TelegramBotApi,
  TelegramUnreachableError,
  ZTelegramBotUser,
  ZTelegramWebhookInfo,
  ZTrue,
} from './telegram-bot-api.js';
import { botIdOf, generateTelegramSecrets, webhookHeaderSecret } from './telegram-secrets.js';

/** The updates the webhook asks for: new messages and edits of them, nothing from groups' other events. */
const ALLOWED_UPDATES = ['message', 'edited_message'];

/** Where a foreign webhook points, without its path (which may hold another system's secret). */
function originOf(url: string): string {
  try {
    return `${new URL(url).origin}/…`;
  } catch {
    return 'an address that is not a URL';
  }
}

/**
 * Telegram bots from @BotFather. The bot id (before the ':' of the token) is the inbox's external id, so a bot
 * is connected to one inbox only. The webhook URL carries a random path token that finds the inbox, and
 * Telegram presents the inbox's secret in X-Telegram-Bot-Api-Secret-Token with every update.
 */
@Injectable()
export class TelegramChannelType implements ChannelTypeHandler, OnModuleInit {
  readonly type = 'telegram' as const;

  constructor(
    private readonly registry: ChannelTypeRegistry,
    private readonly api: TelegramBotApi,
  ) {}

  onModuleInit(): void {
    this.registry.register(this);
  }

  externalId(_config: Record<string, unknown>, secrets: ChannelSecrets): string | undefined {
    return botIdOf(secrets.botToken);
  }

  generateSecrets(): ChannelSecrets {
    return generateTelegramSecrets();
  }

  webhookToken(secrets: ChannelSecrets): string | undefined {
    return secrets.webhookPathToken;
  }

  webhookUrl({ publicUrl, secrets }: ChannelTypeContext): string | null {
    const token = secrets.webhookPathToken;
    return token ? `${publicUrl}/api/v1/channels/telegram/${token}/webhook` : null;
  }

  /** The bot's @username, learnt from getMe when the inbox was connected: what customers search for. */
  details({ row }: ChannelTypeContext): Record<string, unknown> {
    const username = row.state.botUsername;
    return typeof username === 'string'
      ? { botUsername: username, botLink: `https://t.me/${username}` }
      : { botUsername: null };
  }

  async test(ctx: ChannelTypeContext): Promise<TChannelTestResult> {
    const token = ctx.secrets.botToken;
    if (!token) return { ok: false, message: 'The inbox has no bot token' };
    let username: string;
    try {
      const me = await this.api.call(token, 'getMe', {}, ZTelegramBotUser);
      username = `@${me.username ?? me.first_name}`;
    } catch (err) {
      if (!(err instanceof TelegramApiError)) throw err;
      return {
        ok: false,
        message: err.badToken ? BAD_TOKEN_MESSAGE : `Telegram refused: ${err.description}`,
      };
    }
    const info = await this.api.call(token, 'getWebhookInfo', {}, ZTelegramWebhookInfo);
    const details = {
      botUsername: username.slice(1),
      pendingUpdateCount: info.pending_update_count,
      ...(info.last_error_message
        ? {
            lastWebhookError: info.last_error_message,
            lastWebhookErrorAt: new Date((info.last_error_date ?? 0) * 1000).toISOString(),
          }
        : {}),
    };
    if (info.url !== this.webhookUrl(ctx)) {
      const where = info.url ? `The webhook points elsewhere: ${originOf(info.url)}` : 'No webhook is set';
      return {
        ok: false,
        message: `${where}. Connected as ${username}; save the bot token again to register this inbox's webhook.`,
        details,
      };
    }
    return { ok: true, message: `Connected as ${username}`, details };
  }

  /** getMe proves the token and names the bot; setWebhook points the bot's updates at this inbox. */
  async connect(ctx: ChannelTypeContext): Promise<ConnectOutcome> {
    const token = ctx.secrets.botToken;
    const url = this.webhookUrl(ctx);
    const secret = webhookHeaderSecret(ctx.secrets);
    if (!token || !url || !secret)
      throw unprocessable('The inbox is missing its bot token or webhook secret');
    try {
      const me = await this.api.call(token, 'getMe', {}, ZTelegramBotUser);
      await this.api.call(
        token,
        'setWebhook',
        { url, secret_token: secret, allowed_updates: ALLOWED_UPDATES, drop_pending_updates: false },
        ZTrue,
      );
      return { state: { botId: String(me.id), botUsername: me.username ?? null, botName: me.first_name } };
    } catch (err) {
      throw refusal(err);
    }
  }

  /** The bot stops sending here; its pending updates stay with Telegram for whatever it is connected to next. */
  async disconnect({ secrets }: ChannelTypeContext): Promise<void> {
    if (secrets.botToken) await this.api.call(secrets.botToken, 'deleteWebhook', {}, ZTrue);
  }
}

/** Telegram's refusal in words an admin can act on (the create is then undone). */
function refusal(err: unknown): unknown {
  if (err instanceof TelegramUnreachableError) {
    return new AppError(HttpStatus.BAD_GATEWAY, `Could not reach Telegram: ${err.message}`);
  }
  if (!(err instanceof TelegramApiError)) return err;
  if (err.badToken) return unprocessable(BAD_TOKEN_MESSAGE);
  if (err.method === 'setWebhook')
    return unprocessable(`Telegram refused the webhook URL: ${err.description}`);
  return unprocessable(`Telegram refused ${err.method}: ${err.description}`);
}
