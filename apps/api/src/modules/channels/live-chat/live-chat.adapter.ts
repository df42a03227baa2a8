import { Injectable, type OnModuleInit } from '@nestjs/common';
import { ChannelRouterService } from '../channel-router.service.js';
import {
  ChannelSendError,
  type IMessageChannel,
  type SendContext,
  type SendResult,
} from '../message-channel.js';
import { liveChatConfig } from './live-chat.config.js';
import { LiveChatEmitter } from './live-chat.emitter.js';
import { LiveChatMailer } from './live-chat.mailer.js';
import { LiveChatPresence, type VisitorKey } from './live-chat.presence.js';
import { EMAIL_FILE_LINK_TTL_SECONDS, LiveChatFileLinks } from './live-chat.visitor-message.js';

/**
 * Outbound for `live_chat` inboxes: delivering is emitting to the visitor's room on /widget (from the worker,
 * through Redis). A visitor with no widget open on any API process gets the reply by email when they gave one and
 * SMTP_URL is set; either way the message is `sent` and waits in the widget's history. The message's own id is
 * its provider id, which the widget's `read` refers to.
 */
@Injectable()
export class LiveChatAdapter implements IMessageChannel, OnModuleInit {
  readonly type = 'live_chat' as const;

  constructor(
    private readonly router: ChannelRouterService,
    private readonly emitter: LiveChatEmitter,
    private readonly presence: LiveChatPresence,
    private readonly mailer: LiveChatMailer,
    private readonly links: LiveChatFileLinks,
  ) {}

  onModuleInit(): void {
    this.router.register(this);
  }

  async send(ctx: SendContext): Promise<SendResult> {
    const visitors: VisitorKey[] = ctx.contact.identities
      .filter((i) => i.channelType === 'live_chat')
      .map((i) => ({ tenantId: ctx.tenantId, inboxId: ctx.channel.id, visitorId: i.identifier }));
    if (!visitors.length) throw new ChannelSendError(true, 'The contact has no widget visitor to send to');

    const online = await this.presence.anyOnline(visitors);
    this.emitter.toVisitors(
      visitors,
      'message',
      this.links.toVisitorMessage(ctx.tenantId, { ...ctx.message, status: 'sent' }),
    );
    if (!online && ctx.contact.email && this.mailer.configured) {
      await this.mailer.send(this.offlineMail(ctx, ctx.contact.email));
    }
    return { providerMessageId: ctx.message.id };
  }

  private offlineMail(ctx: SendContext, to: string) {
    const { websiteUrl } = liveChatConfig(ctx.channel.config);
    const shown = this.links.toVisitorMessage(ctx.tenantId, ctx.message, EMAIL_FILE_LINK_TTL_SECONDS).content;
    const body = [shown.text, shown.caption ?? shown.filename, shown.url]
      .filter((part): part is string => typeof part === 'string' && part.length > 0)
      .join('\n');
    return {
      to,
      subject: `New reply to your chat on ${new URL(websiteUrl).host}`,
      text: `${body}\n\n--\nYou chatted with us on ${websiteUrl}. Continue the conversation there.\n`,
    };
  }
}
