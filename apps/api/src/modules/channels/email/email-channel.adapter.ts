import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import type { NodemailerError } from 'nodemailer';
import { defaultAddressPolicy, type AddressPolicy } from '../../../common/http-client/ip-policy.js';
import { AppError } from '../../../common/http/errors.js';
import { TenantDb } from '../../../common/tenancy/tenant-db.service.js';
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
import { emailInboxOf, type EmailInbox } from './email-config.js';
import { composeReply, type ReplyDraft } from './email-reply.composer.js';
import { EmailThreadsRepository } from './email-threads.repository.js';
import { describeSmtpError, SmtpError, smtpTransport } from './smtp-transport.js';

/**
 * Outbound for email inboxes: the agent's message as a reply in the customer's thread, over the inbox's SMTP
 * server. The generated Message-ID is the provider id, which is how the customer's answer to it finds this
 * conversation again. 5xx answers fail the message with the server's words; the rest are retried.
 */
@Injectable()
export class EmailChannelAdapter implements IMessageChannel, OnModuleInit {
  readonly type = 'email' as const;
  private readonly policy: AddressPolicy;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly router: ChannelRouterService,
    private readonly credentials: ChannelCredentialsService,
    private readonly tenantDb: TenantDb,
    private readonly threads: EmailThreadsRepository,
    private readonly attachments: AttachmentsService,
  ) {
    this.policy = defaultAddressPolicy(config.OUTBOUND_ALLOW_PRIVATE_NETWORKS);
  }

  onModuleInit(): void {
    this.router.register(this);
  }

  async send(ctx: SendContext): Promise<SendResult> {
    let inbox: EmailInbox;
    try {
      inbox = emailInboxOf(ctx.channel, this.credentials.open(ctx.channel));
    } catch (err) {
      throw new ChannelSendError(true, (err as Error).message);
    }
    const thread = await this.tenantDb.run((tx) => this.threads.thread(tx, ctx.conversation.id));
    const draft = composeReply({ config: inbox.config, ...ctx, thread });
    const files = await this.load(draft.files);
    try {
      const transport = await smtpTransport(inbox, this.policy);
      try {
        await transport.sendMail({
          from: draft.from,
          to: draft.to,
          ...(draft.cc.length ? { cc: draft.cc } : {}),
          // Nodemailer sends to these without writing a Bcc header.
          ...(draft.bcc.length ? { bcc: draft.bcc } : {}),
          subject: draft.subject,
          messageId: draft.messageId,
          inReplyTo: draft.inReplyTo,
          references: draft.references,
          text: draft.text,
          html: draft.html,
          attachments: files,
        });
      } finally {
        transport.close();
      }
    } catch (err) {
      const failure = err instanceof SmtpError ? err : describeSmtpError(inbox, err as NodemailerError);
      throw new ChannelSendError(failure.permanent, failure.message);
    }
    return { providerMessageId: draft.messageId };
  }

  /** The files' bytes; a file deleted since the message was written fails the message for good. */
  private async load(files: ReplyDraft['files']) {
    const loaded: { filename: string; content: Buffer; contentType: string }[] = [];
    for (const file of files) {
      try {
        const stored = await this.attachments.openForSend(file.attachmentId);
        loaded.push({
          filename: file.filename ?? stored.fileName,
          content: await stored.read(),
          contentType: stored.contentType,
        });
      } catch (err) {
        if (err instanceof AppError) {
          throw new ChannelSendError(true, `Attachment ${file.attachmentId} cannot be sent: ${err.message}`);
        }
        throw err;
      }
    }
    return loaded;
  }
}
