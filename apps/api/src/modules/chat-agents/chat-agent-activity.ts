import { Injectable } from '@nestjs/common';
import { CacheBus } from '../../common/cache/cache-bus.js';
import type { TtlCache } from '../../common/cache/ttl-cache.js';
import { Database } from '../../db/database.js';
import { ChatAgentsRepository } from './chat-agents.repository.js';

const CACHE = 'chat-agent-inboxes';

/**
 * Which inboxes of a workspace an enabled AI agent answers, so an inbound message on any other inbox (and every
 * message of a workspace without agents) costs no job. Cached per process for a few seconds and dropped on every
 * replica whenever an agent is created, changed or deleted.
 */
@Injectable()
export class ChatAgentActivity {
  private readonly cache: TtlCache<string, ReadonlySet<string>>;

  constructor(
    private readonly db: Database,
    private readonly repo: ChatAgentsRepository,
    private readonly bus: CacheBus,
  ) {
    this.cache = bus.cache<ReadonlySet<string>>(CACHE, 10_000);
  }

  answeredInboxes(tenantId: string): Promise<ReadonlySet<string>> {
    return this.cache.getOrLoad(tenantId, () =>
      this.db.tenantTransaction(tenantId, async (tx) => new Set(await this.repo.answeredInboxIds(tx))),
    );
  }

  changed(tenantId: string): Promise<void> {
    return this.bus.invalidate(CACHE, tenantId);
  }
}
