import { Injectable } from '@nestjs/common';
import { sql } from 'drizzle-orm';
import { CacheBus } from '../../../common/cache/cache-bus.js';
import type { TtlCache } from '../../../common/cache/ttl-cache.js';
import { Database } from '../../../db/database.js';

const CACHE = 'flow-activity';

/**
 * Whether a workspace's events can matter to flows at all: it has an ACTIVE flow, or a session still waiting (a
 * reply, a delay) on a flow paused since. Most workspaces' inbound messages then cost no `flow-run` job. Cached per
 * process for a few seconds and dropped on every replica when a flow's status changes; a session can only start
 * waiting on an ACTIVE flow, so a cached "no" is never wrong for longer than a status change takes to invalidate.
 */
@Injectable()
export class FlowActivity {
  private readonly cache: TtlCache<string, boolean>;

  constructor(
    private readonly db: Database,
    private readonly bus: CacheBus,
  ) {
    this.cache = bus.cache<boolean>(CACHE, 10_000);
  }

  busy(tenantId: string): Promise<boolean> {
    return this.cache.getOrLoad(tenantId, () =>
      this.db.tenantTransaction(tenantId, async (tx) => {
        const { rows } = await tx.execute<{ busy: boolean }>(
          sql`select exists (select 1 from flows where status = 'ACTIVE')
                  or exists (select 1 from flow_sessions where status = 'waiting') as busy`,
        );
        return rows[0]?.busy ?? true;
      }),
    );
  }

  /** After a flow is published, activated, paused, archived or deleted. */
  changed(tenantId: string): Promise<void> {
    return this.bus.invalidate(CACHE, tenantId);
  }
}
