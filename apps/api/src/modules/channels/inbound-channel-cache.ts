import { Injectable } from '@nestjs/common';
import { CacheBus } from '../../common/cache/cache-bus.js';
import type { TtlCache } from '../../common/cache/ttl-cache.js';
import { ChannelsRepository } from './channels.repository.js';

type InboundChannel = Awaited<ReturnType<ChannelsRepository['unsafeFindForInbound']>>;

const CACHE = 'inbound-channel';

/**
 * Webhook deliveries look their inbox up by id on every message; the row changes rarely. Cached per process for
 * a few seconds and dropped on every replica the moment the inbox changes (update, secret rotation, deletion).
 */
@Injectable()
export class InboundChannelCache {
  private readonly cache: TtlCache<string, InboundChannel>;

  constructor(
    private readonly channels: ChannelsRepository,
    private readonly bus: CacheBus,
  ) {
    this.cache = bus.cache<InboundChannel>(CACHE, 10_000);
  }

  find(id: string): Promise<InboundChannel> {
    return this.cache.getOrLoad(id, () => this.channels.unsafeFindForInbound(id));
  }

  /**
   * The inbox of a provider account (`whatsapp` + phone_number_id, `messenger` + page id, ...). The id mapping is
   * looked up each time (one indexed query); the row itself comes from the cache, and is checked to still carry
   * this external id, so a changed mapping is never served stale.
   */
  async findByExternalId(type: string, externalId: string): Promise<InboundChannel> {
    const id = await this.channels.unsafeFindIdByExternalId(type, externalId);
    const row = id ? await this.find(id) : undefined;
    return row && row.type === type && row.externalId === externalId ? row : undefined;
  }

  /** The inbox whose webhook token (Meta verify token, Telegram path segment) hashes to this value. */
  async findByWebhookTokenHash(hash: string): Promise<InboundChannel> {
    const id = await this.channels.unsafeFindIdByWebhookTokenHash(hash);
    const row = id ? await this.find(id) : undefined;
    return row && row.webhookTokenHash === hash ? row : undefined;
  }

  invalidate(id: string): Promise<void> {
    return this.bus.invalidate(CACHE, id);
  }
}
