import { Inject, Injectable, Logger } from '@nestjs/common';
import type { NormalizedMessage } from '@orbitdesk/shared';
import { Readable } from 'node:stream';
import { ResponseTooLargeError } from '../../../common/http-client/http-client.errors.js';
import { APP_CONFIG, type AppConfig } from '../../../config/app-config.js';
import { AttachmentsService } from '../../attachments/attachments.service.js';
import { ChannelCredentialsService } from '../channel-credentials.service.js';
import {
  ChannelPipelineService,
  PROVIDER_REPORT_RETRY_MS,
  type StatusUpdate,
} from '../channel-pipeline.service.js';
import type { ChannelRow } from '../channels.repository.js';
import { WhatsAppGraphClient } from './whatsapp-graph.client.js';
import {
  describeWaError,
  normalizeMessage,
  normalizeStatus,
  type PendingMedia,
} from './whatsapp.normalizer.js';
import { ZChangeValue } from './whatsapp-webhook.schema.js';

const EXTENSIONS: Record<string, string> = {
  'image/jpeg': 'jpg',
  'image/png': 'png',
  'image/webp': 'webp',
  'video/mp4': 'mp4',
  'video/3gpp': '3gp',
  'audio/ogg': 'ogg',
  'audio/mpeg': 'mp3',
  'audio/mp4': 'm4a',
  'audio/aac': 'aac',
  'audio/amr': 'amr',
  'application/pdf': 'pdf',
};

/**
 * One verified `messages` change of one inbox, processed inside the inbox's tenant after Meta has its answer:
 * every message is normalized (media fetched through the Graph API into storage) and ingested, in order; every
 * status moves its message forward. One bad item is logged and skipped, never the rest of the batch.
 */
@Injectable()
export class WhatsAppInboundService {
  private readonly logger = new Logger('WhatsAppInbound');

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly pipeline: ChannelPipelineService,
    private readonly graph: WhatsAppGraphClient,
    private readonly attachments: AttachmentsService,
    private readonly credentials: ChannelCredentialsService,
  ) {}

  async processChange(channel: ChannelRow, rawValue: unknown): Promise<void> {
    const parsed = ZChangeValue.safeParse(rawValue);
    if (!parsed.success) {
      this.logger.warn(`channel ${channel.id}: skipped a malformed messages change`);
      return;
    }
    const value = parsed.data;
    for (const error of value.errors ?? []) {
      this.logger.warn(`channel ${channel.id}: WhatsApp reported ${describeWaError(error)}`);
    }
    for (const raw of value.messages ?? []) {
      await this.attempt(channel, 'message', () => this.ingest(channel, raw, value.contacts));
    }
    for (const raw of value.statuses ?? []) {
      await this.attempt(channel, 'status', () => this.applyStatus(channel, raw));
    }
  }

  private async ingest(channel: ChannelRow, raw: unknown, contacts: Parameters<typeof normalizeMessage>[2]) {
    const item = normalizeMessage(channel.id, raw, contacts);
    switch (item.kind) {
      case 'skip':
        this.logger.log(`channel ${channel.id}: skipped message ${item.id}: ${item.reason}`);
        return;
      case 'message':
        await this.pipeline.ingest(item.message);
        return;
      case 'media':
        await this.pipeline.ingest(await this.withMedia(channel, item.message, item.media));
    }
  }

  /**
   * The file goes into storage and the message carries its attachment id. A file that cannot be fetched (expired,
   * too large, Meta down) still leaves a trace: a text message saying which file is missing and why.
   */
  private async withMedia(
    channel: ChannelRow,
    message: Omit<NormalizedMessage, 'content'>,
    media: PendingMedia,
  ): Promise<NormalizedMessage> {
    const caption = media.caption ? { caption: media.caption } : {};
    try {
      const token = this.credentials.open(channel).accessToken;
      if (!token) throw new Error('the inbox has no access token');
      const file = await this.graph.downloadMedia(token, media.id, this.config.ATTACHMENT_MAX_BYTES);
      const declared = media.mimeType ?? file.mimeType;
      const stored = await this.attachments.storeFromStream({
        tenantId: channel.tenantId,
        fileName: media.filename ?? `${message.type}-${media.id}.${extension(declared)}`,
        contentType: declared,
        stream: Readable.from([file.bytes]),
      });
      return {
        ...message,
        content: {
          attachmentId: stored.id,
          mimeType: stored.contentType.slice(0, 100),
          ...(media.filename ? { filename: media.filename } : {}),
          ...caption,
        },
      };
    } catch (err) {
      const reason =
        err instanceof ResponseTooLargeError
          ? `larger than the ${this.config.ATTACHMENT_MAX_BYTES}-byte attachment limit`
          : (err as Error).message;
      this.logger.warn(`channel ${channel.id}: ${message.type} ${media.id} not stored: ${reason}`);
      const note = `[${message.type} not available: ${reason}]`;
      return {
        ...message,
        type: 'text',
        content: { text: media.caption ? `${media.caption}\n${note}` : note },
      };
    }
  }

  private async applyStatus(channel: ChannelRow, raw: unknown): Promise<void> {
    const item = normalizeStatus(raw);
    if (item.kind === 'skip') {
      this.logger.debug(`channel ${channel.id}: skipped status of ${item.id}: ${item.reason}`);
      return;
    }
    await this.updateStatus(channel, item.id, item.update);
  }

  /** Meta may report on a message before the worker has stored its wamid: retried, then dropped with a log line. */
  private async updateStatus(channel: ChannelRow, wamid: string, update: StatusUpdate): Promise<void> {
    if (!(await this.pipeline.updateStatusOnceKnown(channel.id, wamid, update, PROVIDER_REPORT_RETRY_MS))) {
      this.logger.log(`channel ${channel.id}: status ${update.status} for unknown message ${wamid}`);
    }
  }

  private async attempt(channel: ChannelRow, what: string, fn: () => Promise<void>): Promise<void> {
    try {
      await fn();
    } catch (err) {
      this.logger.error(
        `channel ${channel.id}: a WhatsApp ${what} failed: ${(err as Error).stack ?? String(err)}`,
      );
    }
  }
}

function extension(mimeType: string | undefined): string {
  const bare = mimeType?.split(';', 1)[0]?.trim().toLowerCase() ?? '';
  return EXTENSIONS[bare] ?? 'bin';
}
