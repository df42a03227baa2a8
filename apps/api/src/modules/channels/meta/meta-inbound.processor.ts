import { HttpStatus, Injectable, Logger } from '@nestjs/common';
import { AppError } from '../../../common/http/errors.js';
import { TenantDb } from '../../../common/tenancy/tenant-db.service.js';
import { ChannelCredentialsService, type ChannelSecrets } from '../channel-credentials.service.js';
import { ChannelPipelineService, type StatusUpdate } from '../channel-pipeline.service.js';
import type { ChannelRow } from '../channels.repository.js';
import type { MetaKind } from './meta-kinds.js';
import { MetaMediaFetcher } from './meta-media.fetcher.js';
import { MetaMessagesRepository } from './meta-messages.repository.js';
import { MetaProfiles } from './meta-profiles.js';
import { MetaSentMids } from './meta-sent-mids.js';
import { normalizeMessagingEvent, type MetaInboundAction } from './meta-inbound.normalizer.js';
import { ZMetaMessagingEvent, type TMetaWebhookEntry } from './meta-webhook.schema.js';

type MessageAction = Extract<MetaInboundAction, { kind: 'message' }>;

/**
 * The verified entries of one inbox, after the webhook was answered, inside the inbox's tenant: every event of
 * every entry, in order. One event failing (a file Meta will not serve, a malformed item) is logged and the
 * rest of the batch goes on.
 */
@Injectable()
export class MetaInboundProcessor {
  private readonly logger = new Logger('MetaInbound');

  constructor(
    private readonly tenantDb: TenantDb,
    private readonly pipeline: ChannelPipelineService,
    private readonly credentials: ChannelCredentialsService,
    private readonly repo: MetaMessagesRepository,
    private readonly media: MetaMediaFetcher,
    private readonly profiles: MetaProfiles,
    private readonly sentMids: MetaSentMids,
  ) {}

  async process(kind: MetaKind, channel: ChannelRow, entries: TMetaWebhookEntry[]): Promise<void> {
    const secrets = this.credentials.open(channel);
    for (const entry of entries) {
      for (const raw of entry.messaging ?? []) {
        const event = ZMetaMessagingEvent.safeParse(raw);
        if (!event.success) {
          this.logger.warn(
            `${kind.label} inbox ${channel.id}: skipped a malformed event: ${event.error.message}`,
          );
          continue;
        }
        for (const action of normalizeMessagingEvent(event.data)) {
          try {
            await this.apply(kind, channel, secrets, action);
          } catch (err) {
            this.logger.error(
              `${kind.label} inbox ${channel.id}: ${action.kind} failed: ${(err as Error).stack ?? String(err)}`,
            );
          }
        }
      }
    }
  }

  private async apply(
    kind: MetaKind,
    channel: ChannelRow,
    secrets: ChannelSecrets,
    action: MetaInboundAction,
  ): Promise<void> {
    switch (action.kind) {
      case 'message':
        return this.ingest(kind, channel, secrets, action);
      case 'delivered':
        for (const mid of action.mids) await this.report(channel.id, mid, { status: 'delivered' });
        return;
      case 'watermark':
        return this.reportUpTo(kind, channel, action.contactId, action.upTo, action.status);
      case 'seen': {
        const at = await this.tenantDb.run((tx) => this.repo.outboundCreatedAt(tx, channel.id, action.mid));
        if (at) await this.reportUpTo(kind, channel, action.contactId, at, 'read');
        return;
      }
    }
  }

  private async ingest(
    kind: MetaKind,
    channel: ChannelRow,
    secrets: ChannelSecrets,
    { contactId, echo, draft }: MessageAction,
  ): Promise<void> {
    const id = draft.providerMessageId;
    // Our own send coming back: already stored (possibly not yet with its id, when the echo won the race).
    if (echo && id && (await this.sentMids.isOurs(channel.id, id))) return;
    let content = draft.content;
    if (draft.media) {
      // A redelivery must not fetch and store the file a second time; the pipeline would drop the message anyway.
      if (id && (await this.tenantDb.run((tx) => this.repo.exists(tx, channel.id, id)))) return;
      content = await this.media.store(channel.tenantId, draft.media, content);
    }
    const name = await this.profiles.nameOf(kind, channel.id, secrets, contactId);
    await this.pipeline.ingest({
      channelId: channel.id,
      channelType: kind.type,
      contact: { identifier: contactId, ...(name ? { name } : {}) },
      providerMessageId: id,
      type: draft.type,
      content,
      sentAt: draft.sentAt,
      ...(echo ? { direction: 'out' as const } : {}),
    });
  }

  private async reportUpTo(
    kind: MetaKind,
    channel: ChannelRow,
    contactId: string,
    upTo: Date,
    status: 'delivered' | 'read',
  ): Promise<void> {
    const ids = await this.tenantDb.run((tx) =>
      this.repo.outboundUpTo(tx, {
        channelId: channel.id,
        channelType: kind.type,
        identifier: contactId,
        upTo,
        statuses: status === 'read' ? ['sent', 'delivered'] : ['sent'],
      }),
    );
    for (const id of ids) await this.report(channel.id, id, { status });
  }

  /** A receipt for a message we do not have (sent from Meta's own apps before the echo arrived) is ignored. */
  private async report(channelId: string, providerMessageId: string, update: StatusUpdate): Promise<void> {
    try {
      await this.pipeline.updateStatus(channelId, providerMessageId, update);
    } catch (err) {
      if (err instanceof AppError && err.getStatus() === Number(HttpStatus.NOT_FOUND)) return;
      throw err;
    }
  }
}
