import { Injectable, Logger } from '@nestjs/common';
import type {
  ChannelRef,
  InboundMessage,
  LinkStatusUpdate,
  WhatsAppQrHost,
} from '@orbitdesk/plugin-whatsapp-qr';
import { AppError } from '../../../common/http/errors.js';
import { requestContext } from '../../../common/tenancy/request-context.js';
import { Database } from '../../../db/database.js';
import { isUniqueViolation } from '../../../db/query-helpers.js';
import { AttachmentsService } from '../../attachments/attachments.service.js';
import { ChannelPipelineService } from '../channel-pipeline.service.js';
import { ChannelsRepository } from '../channels.repository.js';
import { InboundChannelCache } from '../inbound-channel-cache.js';
import { WhatsAppQrAuthStores } from './whatsapp-qr-auth-store.js';
import { WhatsAppQrDriver } from './whatsapp-qr.driver.js';
import { WhatsAppQrRealtime } from './whatsapp-qr.realtime.js';
import type { LinkState } from './whatsapp-qr.state.js';

/**
 * The application as the connection manager sees it: auth state in Postgres, messages through the inbox pipeline
 * (media into storage first), link status into channels.state and out to the workspace's sockets. Every piece
 * of work runs inside the inbox's tenant.
 */
@Injectable()
export class WhatsAppQrHostService implements WhatsAppQrHost {
  readonly logger = new Logger('WhatsAppQr');

  constructor(
    private readonly db: Database,
    private readonly channels: ChannelsRepository,
    private readonly pipeline: ChannelPipelineService,
    private readonly attachments: AttachmentsService,
    private readonly authStores: WhatsAppQrAuthStores,
    private readonly realtime: WhatsAppQrRealtime,
    private readonly inboundChannels: InboundChannelCache,
    readonly driver: WhatsAppQrDriver,
  ) {}

  authStore(channel: ChannelRef) {
    return this.authStores.for(channel);
  }

  ingest(channel: ChannelRef, message: InboundMessage): Promise<void> {
    return this.inTenant(channel, 'inbound', async () => {
      const { type, content } = await this.withMedia(channel, message);
      await this.pipeline.ingest({
        channelId: channel.id,
        channelType: 'whatsapp_qr',
        contact: message.contact,
        providerMessageId: message.providerMessageId,
        type,
        content,
        direction: message.direction,
        ...(message.sentAt ? { sentAt: message.sentAt } : {}),
      });
    });
  }

  updateStatus(channel: ChannelRef, providerMessageId: string, status: 'delivered' | 'read'): Promise<void> {
    return this.inTenant(channel, 'receipt', async () => {
      try {
        await this.pipeline.updateStatus(channel.id, providerMessageId, { status });
      } catch (err) {
        // Receipts also arrive for messages sent before the inbox existed or from other chats: nothing to update.
        if (err instanceof AppError && err.getStatus() === 404) return;
        throw err;
      }
    });
  }

  async emitQr(channel: ChannelRef, qr: string): Promise<void> {
    await this.record(channel, { status: 'qr', qr, reason: null, idle: false });
    this.realtime.emit(channel.tenantId, 'baileys:qr', { channelId: channel.id, qr });
  }

  async emitStatus(channel: ChannelRef, update: LinkStatusUpdate): Promise<void> {
    const loggedOut = update.status === 'logged_out';
    await this.record(channel, {
      status: update.status,
      reason: update.reason ?? null,
      // Waits for an admin to link again: nothing restarts it on its own.
      idle: loggedOut || (update.status === 'closed' && update.willRetry === false),
      ...(update.status === 'qr' ? {} : { qr: null }),
      ...(update.status === 'open' ? { phone: update.phone ?? null, name: update.name ?? null } : {}),
      ...(loggedOut ? { phone: null, name: null } : {}),
    });
    if (loggedOut) await this.setNumber(channel, null);
    this.realtime.emit(channel.tenantId, 'baileys:status', {
      channelId: channel.id,
      status: update.status,
      ...(update.reason ? { reason: update.reason } : {}),
      ...(update.phone ? { phone: update.phone } : {}),
    });
  }

  async claimNumber(channel: ChannelRef, phone: string): Promise<boolean> {
    try {
      await this.setNumber(channel, phone.replace(/^\+/, ''));
      return true;
    } catch (err) {
      if (isUniqueViolation(err)) return false;
      throw err;
    }
  }

  /** The inbox's number is its external id: one number, one inbox, across all workspaces. */
  private async setNumber(channel: ChannelRef, digits: string | null): Promise<void> {
    await this.db.tenantTransaction(channel.tenantId, (tx) =>
      this.channels.update(tx, channel.id, { externalId: digits }),
    );
    await this.inboundChannels.invalidate(channel.id);
  }

  private async record(channel: ChannelRef, patch: Partial<LinkState>): Promise<void> {
    await this.db.tenantTransaction(channel.tenantId, (tx) =>
      this.channels.mergeState(tx, channel.id, { ...patch, updatedAt: new Date().toISOString() }),
    );
  }

  /**
   * Stores the message's file and points the content at it. A file that cannot be fetched (expired at WhatsApp,
   * too large) still leaves a message saying so, rather than losing what the contact sent.
   */
  private async withMedia(
    channel: ChannelRef,
    message: InboundMessage,
  ): Promise<Pick<InboundMessage, 'type' | 'content'>> {
    const media = message.media;
    if (!media) return message;
    try {
      const stored = await this.attachments.storeFromStream({
        tenantId: channel.tenantId,
        fileName: media.fileName,
        ...(media.mimeType ? { contentType: media.mimeType } : {}),
        stream: await media.download(),
      });
      return { type: message.type, content: { ...message.content, attachmentId: stored.id } };
    } catch (err) {
      const reason = (err as Error).message;
      this.logger.warn(`[whatsapp-qr ${channel.id}] ${message.type} ${message.providerMessageId}: ${reason}`);
      const caption = typeof message.content.caption === 'string' ? `\n${message.content.caption}` : '';
      return { type: 'text', content: { text: `[${message.type} not received: ${reason}]${caption}` } };
    }
  }

  private inTenant(channel: ChannelRef, what: string, fn: () => Promise<void>): Promise<void> {
    return requestContext.run(
      { tenantId: channel.tenantId, requestId: `whatsapp-qr:${what}:${channel.id}` },
      fn,
    );
  }
}
