import { Injectable, type OnModuleInit } from '@nestjs/common';
import type { z } from 'zod';
import { AppError } from '../../../common/http/errors.js';
import { AttachmentsService, type OutgoingFile } from '../../attachments/attachments.service.js';
import { ChannelCredentialsService } from '../channel-credentials.service.js';
import { ChannelRouterService } from '../channel-router.service.js';
import {
  ChannelSendError,
  type IMessageChannel,
  type SendContext,
  type SendResult,
} from '../message-channel.js';
import {
  BAD_TOKEN_MESSAGE,
  TelegramApiError,
  TelegramBotApi,
  TelegramUnreachableError,
  ZTelegramSentMessage,
} from './telegram-bot-api.js';
import { planTelegramSend, type TelegramSendPlan } from './telegram-send-plan.js';

/**
 * Outbound for Telegram inboxes through the Bot API. A file stored here is uploaded with the request rather than
 * passed as a signed link: Telegram cannot fetch from a PUBLIC_URL on a private network, and an upload works
 * everywhere. Telegram has no delivery receipts, so a message it accepted stays `sent`.
 */
@Injectable()
export class TelegramAdapter implements IMessageChannel, OnModuleInit {
  readonly type = 'telegram' as const;

  constructor(
    private readonly router: ChannelRouterService,
    private readonly credentials: ChannelCredentialsService,
    private readonly api: TelegramBotApi,
    private readonly attachments: AttachmentsService,
  ) {}

  onModuleInit(): void {
    this.router.register(this);
  }

  async send(ctx: SendContext): Promise<SendResult> {
    const token = this.credentials.open(ctx.channel).botToken;
    if (!token) throw new ChannelSendError(true, 'The inbox has no bot token');
    // A private chat's id is the user's id, the same for every bot, so one identity serves every inbox.
    const chatId = ctx.contact.identities.find((i) => i.channelType === 'telegram')?.identifier;
    if (!chatId) throw new ChannelSendError(true, 'The contact has no Telegram chat to send to');

    const { type, content } = ctx.message;
    const file = await this.storedFile(content.attachmentId);
    const planned = planTelegramSend(chatId, type, content, file);
    if ('refused' in planned) throw new ChannelSendError(true, planned.refused);
    // A long text goes in parts; the parts an earlier try delivered are not sent again.
    const plans = [planned.plan, ...(planned.more ?? [])];
    try {
      let last: z.infer<typeof ZTelegramSentMessage> | undefined;
      for (let i = Math.min(ctx.progress?.partsSent ?? 0, plans.length - 1); i < plans.length; i++) {
        last = await this.call(token, plans[i]!, file);
        if (i < plans.length - 1) await ctx.progress?.recordPartsSent(i + 1);
      }
      return { providerMessageId: `${last!.chat.id}:${last!.message_id}` };
    } catch (err) {
      if (err instanceof TelegramApiError) {
        throw new ChannelSendError(!err.transient, err.badToken ? BAD_TOKEN_MESSAGE : err.description);
      }
      if (err instanceof TelegramUnreachableError) {
        throw new ChannelSendError(false, `Could not reach Telegram: ${err.message}`);
      }
      throw err;
    }
  }

  private async call(token: string, plan: TelegramSendPlan, file: OutgoingFile | undefined) {
    const target = plan.file;
    if (target?.attachmentId && file) {
      const upload = {
        field: target.field,
        fileName: file.fileName,
        contentType: file.contentType,
        data: await file.read(),
      };
      return this.api.upload(token, plan.method, plan.params, upload, ZTelegramSentMessage);
    }
    const params = target?.url ? { ...plan.params, [target.field]: target.url } : plan.params;
    return this.api.call(token, plan.method, params, ZTelegramSentMessage);
  }

  /** The stored file a media message names; deleted since it was queued → the message cannot be sent. */
  private async storedFile(attachmentId: unknown): Promise<OutgoingFile | undefined> {
    if (typeof attachmentId !== 'string') return undefined;
    try {
      return await this.attachments.openForSend(attachmentId);
    } catch (err) {
      if (err instanceof AppError && err.getStatus() === 404) {
        throw new ChannelSendError(true, 'The attached file no longer exists');
      }
      throw err;
    }
  }
}
