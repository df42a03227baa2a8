import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { DomainEvents } from '../../common/events/domain-events.js';
import { requestContext } from '../../common/tenancy/request-context.js';
import { TenantDb } from '../../common/tenancy/tenant-db.service.js';
import { ChannelRouterService } from './channel-router.service.js';
import { ChannelsRepository } from './channels.repository.js';

/**
 * When an agent reads a conversation, its channel's adapter may tell the contact (IMessageChannel.markRead):
 * after the answer, best effort — a provider that is down costs the contact a blue tick, never the agent an error.
 */
@Injectable()
export class ReadReceiptsListener implements OnModuleInit {
  private readonly logger = new Logger('ReadReceipts');

  constructor(
    private readonly events: DomainEvents,
    private readonly router: ChannelRouterService,
    private readonly channels: ChannelsRepository,
    private readonly tenantDb: TenantDb,
  ) {}

  onModuleInit(): void {
    this.events.on('conversation.read', async ({ tenantId, conversation, lastInbound }) => {
      const providerMessageId = lastInbound?.providerMessageId;
      if (!providerMessageId) return;
      await requestContext.run({ tenantId }, async () => {
        const found = await this.tenantDb.run(async (tx) => {
          const channel = await this.channels.findById(tx, conversation.channelId);
          if (!channel) return undefined;
          const contactIdentifier = await this.channels.contactIdentifier(
            tx,
            conversation.contactId,
            channel.type,
          );
          return { channel, contactIdentifier };
        });
        if (!found?.channel.isActive) return;
        const { channel, contactIdentifier } = found;
        const adapter = this.router.adapterFor(channel.type);
        if (!adapter?.markRead) return;
        try {
          await adapter.markRead(channel, { providerMessageId, contactIdentifier });
        } catch (err) {
          this.logger.warn(
            `marking ${providerMessageId} read on ${channel.type} failed: ${(err as Error).message}`,
          );
        }
      });
    });
  }
}
