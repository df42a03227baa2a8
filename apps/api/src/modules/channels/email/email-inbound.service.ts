import { Injectable, Logger } from '@nestjs/common';
import { ZNormalizedMessage, type NormalizedMessage } from '@orbitdesk/shared';
import { Readable } from 'node:stream';
import { AppError } from '../../../common/http/errors.js';
import { TenantDb } from '../../../common/tenancy/tenant-db.service.js';
import { AttachmentsService } from '../../attachments/attachments.service.js';
import { ChannelPipelineService } from '../channel-pipeline.service.js';
import type { ChannelRow } from '../channels.repository.js';
import type { EmailInbox } from './email-config.js';
import { readInboundMail, type InboundMail } from './email-inbound-mail.js';
import { EmailThreadsRepository } from './email-threads.repository.js';

/** The text content allows this many files (ZTextContent). */
const MAX_ATTACHMENTS = 50;

export type ImportOutcome = 'stored' | 'duplicate' | 'skipped';

/**
 * One fetched email into the inbox: parsed, checked against the messages already stored (by Message-ID, so a
 * message fetched twice is stored once), threaded into the conversation it replies to, its files stored, and
 * handed to the pipeline. Runs inside the inbox's tenant.
 *
 * A message that can never be stored (unparseable, automatic, refused by the content schema) is skipped so it
 * cannot block the mailbox; a failure of our own storage (database, file store) is thrown, and the poller
 * fetches the message again next time.
 */
@Injectable()
export class EmailInboundService {
  private readonly logger = new Logger('EmailInbound');

  constructor(
    private readonly tenantDb: TenantDb,
    private readonly threads: EmailThreadsRepository,
    private readonly attachments: AttachmentsService,
    private readonly pipeline: ChannelPipelineService,
  ) {}

  async import(channel: ChannelRow, inbox: EmailInbox, raw: Buffer, where: string): Promise<ImportOutcome> {
    let mail: InboundMail;
    try {
      const read = await readInboundMail(raw, inbox.config.emailAddress);
      if ('skipped' in read) {
        this.logger.log(`${where} skipped: ${read.skipped}`);
        return 'skipped';
      }
      mail = read.mail;
    } catch (err) {
      this.logger.warn(`${where} skipped: it could not be parsed (${(err as Error).message})`);
      return 'skipped';
    }

    const thread = await this.tenantDb.run(async (tx) =>
      (await this.threads.isStored(tx, channel.id, mail.messageId))
        ? { stored: true as const }
        : {
            stored: false as const,
            conversationId: await this.threads.conversationOf(tx, channel.id, mail.referencedIds),
          },
    );
    // Checked before the files are stored, so a message fetched again leaves no orphaned copies behind.
    if (thread.stored) return 'duplicate';

    const attachments = await this.storeAttachments(channel.tenantId, mail, where);
    const message = ZNormalizedMessage.safeParse({
      channelId: channel.id,
      channelType: 'email',
      contact: { identifier: mail.from.address, email: mail.from.address, name: mail.from.name },
      providerMessageId: mail.messageId,
      type: 'text',
      content: {
        text: mail.text,
        ...(mail.subject ? { subject: mail.subject } : {}),
        ...(mail.html ? { html: mail.html } : {}),
        ...(mail.cc.length ? { cc: mail.cc } : {}),
        ...(attachments.length ? { attachments } : {}),
      },
      sentAt: mail.sentAt,
      // Email threads by headers, like Chatwoot: a reply continues its conversation, a new email starts one.
      ...(thread.conversationId ? { conversationId: thread.conversationId } : { newConversation: true }),
    } satisfies NormalizedMessage);
    if (!message.success) {
      this.logger.error(`${where} skipped: the normalized message was refused (${message.error.message})`);
      return 'skipped';
    }
    const result = await this.pipeline.ingest(message.data);
    return result.duplicate ? 'duplicate' : 'stored';
  }

  /** Files too large or empty are left out (and logged); the message itself is still stored. */
  private async storeAttachments(tenantId: string, mail: InboundMail, where: string) {
    const stored: { attachmentId: string; filename: string; mimeType: string }[] = [];
    for (const file of mail.attachments.slice(0, MAX_ATTACHMENTS)) {
      const fileName = file.filename ?? 'attachment';
      try {
        const saved = await this.attachments.storeFromStream({
          tenantId,
          fileName,
          contentType: file.contentType,
          stream: Readable.from([file.content]),
        });
        stored.push({
          attachmentId: saved.id,
          filename: saved.fileName.slice(0, 255),
          mimeType: saved.contentType.slice(0, 100),
        });
      } catch (err) {
        if (!(err instanceof AppError)) throw err;
        this.logger.warn(`${where}: attachment ${fileName} was not stored: ${err.message}`);
      }
    }
    if (mail.attachments.length > MAX_ATTACHMENTS) {
      this.logger.warn(
        `${where}: only the first ${MAX_ATTACHMENTS} of ${mail.attachments.length} attachments were stored`,
      );
    }
    return stored;
  }
}
