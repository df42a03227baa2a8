import { Injectable } from '@nestjs/common';
import { CacheBus } from '../../common/cache/cache-bus.js';
import type { TtlCache } from '../../common/cache/ttl-cache.js';
import { Database } from '../../db/database.js';
import { AiSettingsRepository } from './ai-settings.repository.js';

const CACHE = 'ai-understanding-enabled';

/**
 * Whether a workspace classifies its inbound messages. Read on every inbound message (in the API and the worker),
 * so it is cached per process for a few seconds and dropped on every replica when the settings are saved: a
 * workspace that switched it off costs no job and no query per message.
 */
@Injectable()
export class UnderstandingFlag {
  private readonly cache: TtlCache<string, boolean>;

  constructor(
    private readonly db: Database,
    private readonly repo: AiSettingsRepository,
    private readonly bus: CacheBus,
  ) {
    this.cache = bus.cache<boolean>(CACHE, 10_000);
  }

  enabled(tenantId: string): Promise<boolean> {
    return this.cache.getOrLoad(tenantId, () =>
      this.db.tenantTransaction(tenantId, async (tx) => {
        // Never saved: the defaults apply, and understanding is on by default.
        return (await this.repo.find(tx, tenantId))?.understandingEnabled ?? true;
      }),
    );
  }

  /** After the workspace's AI settings are saved. */
  changed(tenantId: string): Promise<void> {
    return this.bus.invalidate(CACHE, tenantId);
  }
}
