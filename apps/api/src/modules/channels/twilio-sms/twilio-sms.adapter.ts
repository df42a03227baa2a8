import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import type { TMessage } from '@orbitdesk/shared';
import { AppError } from '../../../common/http/errors.js';
import { APP_CONFIG, type AppConfig } from '../../../config/app-config.js';
import { AttachmentsService } from '../../attachments/attachments.service.js';
import { ChannelCredentialsService } from '../channel-credentials.service.js';
import { ChannelRouterService } from '../channel-router.service.js';
import {
  ChannelSendError,
  type IMessageChannel,
  type SendContext,
  type SendResult,
} from '../message-channel.js';
import { twilioAccount } from './twilio-sms.account.js';
import { TwilioClientFactory } from './twilio-sms.client.js';
import { asTwilioApiError, describeApiError, isTransient } from './twilio-sms.errors.js';
import { twilioStatusCallbackUrl } from './twilio-sms.urls.js';

/** Twilio refuses a longer Body (error 21617); checked here so the agent gets a plain reason at once. */
const MAX_BODY_CHARS = 1600;
/**
 * A stored file is handed to Twilio as a signed link, which Twilio fetches when it sends the message; that can
 * be hours later when the message waits in a Messaging Service queue (its validity period, 10 hours at most).
 */
const MEDIA_LINK_TTL_SECONDS = 12 * 3600;

const MEDIA_TYPES = new Set(['image', 'video', 'audio', 'document', 'sticker']);

/** What one message becomes in Twilio's Messages API. */
interface Outgoing {
  body?: string;
  mediaUrl?: string[];
}

/**
 * Outbound SMS/MMS through Twilio's Messages API, with the SDK: from the inbox's number (and through its
 * Messaging Service when it has one, which keeps the service's compliance features while replies still come
 * from the number the contact wrote to). Each message carries a StatusCallback to this API, naming the inbox.
 */
@Injectable()
export class TwilioSmsAdapter implements IMessageChannel, OnModuleInit {
  readonly type = 'twilio_sms' as const;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly router: ChannelRouterService,
    private readonly credentials: ChannelCredentialsService,
    private readonly clients: TwilioClientFactory,
    private readonly attachments: AttachmentsService,
  ) {}

  onModuleInit(): void {
    this.router.register(this);
  }

  async send(ctx: SendContext): Promise<SendResult> {
    const account = twilioAccount(ctx.channel.config, this.credentials.open(ctx.channel));
    const to =
      ctx.contact.identities.find((i) => i.channelType === 'twilio_sms')?.identifier ?? ctx.contact.phone;
    if (!to) throw new ChannelSendError(true, 'The contact has no phone number to send an SMS to');
    const outgoing = await this.outgoing(ctx.message);
    if (outgoing.body && [...outgoing.body].length > MAX_BODY_CHARS) {
      throw new ChannelSendError(
        true,
        `The text is ${[...outgoing.body].length} characters long; an SMS through Twilio can have at most ${MAX_BODY_CHARS}`,
      );
    }
    try {
      const sent = await this.clients.client(account).messages.create({
        to,
        from: account.phoneNumber,
        ...(account.messagingServiceSid ? { messagingServiceSid: account.messagingServiceSid } : {}),
        ...outgoing,
        statusCallback: twilioStatusCallbackUrl(this.config, ctx.channel.id),
      });
      return { providerMessageId: sent.sid };
    } catch (err) {
      const api = asTwilioApiError(err);
      if (!api) throw new ChannelSendError(false, `Twilio unreachable: ${(err as Error).message}`);
      throw new ChannelSendError(!isTransient(api), describeApiError(api));
    }
  }

  private async outgoing(message: TMessage): Promise<Outgoing> {
    const c = message.content;
    const text = (key: string): string | undefined => {
      const value = c[key];
      return typeof value === 'string' && value ? value : undefined;
    };
    if (message.type === 'text') return { body: text('text') };
    if (message.type === 'location') {
      const where = `https://maps.google.com/?q=${String(c.latitude)},${String(c.longitude)}`;
      return { body: [text('name'), text('address'), where].filter(Boolean).join('\n') };
    }
    if (MEDIA_TYPES.has(message.type)) {
      const attachmentId = text('attachmentId');
      const url = attachmentId ? await this.linkTo(attachmentId) : text('url');
      if (!url) throw new ChannelSendError(true, 'The media message has neither a url nor an attachmentId');
      const caption = text('caption');
      return { mediaUrl: [url], ...(caption ? { body: caption } : {}) };
    }
    throw new ChannelSendError(
      true,
      `Twilio SMS sends text, media and locations; a ${message.type} message cannot be sent by SMS`,
    );
  }

  /** A signed link to a stored file; a file deleted since the message was written fails the message for good. */
  private async linkTo(attachmentId: string): Promise<string> {
    try {
      return (await this.attachments.openForSend(attachmentId, MEDIA_LINK_TTL_SECONDS)).url;
    } catch (err) {
      if (err instanceof AppError && err.getStatus() === 404) {
        throw new ChannelSendError(true, 'The attached file no longer exists');
      }
      throw err;
    }
  }
}
