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

  invalidate(id: string): Promise<void> {
    return this.bus.invalidate(CACHE, id);
  }
}
