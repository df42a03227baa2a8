import { Injectable } from '@nestjs/common';
import { CacheBus } from '../../common/cache/cache-bus.js';
import type { TtlCache } from '../../common/cache/ttl-cache.js';
import { TenantDb } from '../../common/tenancy/tenant-db.service.js';
import { WebhooksRepository } from './webhooks.repository.js';

type ActiveEndpoint = { id: string; events: string[] };

const CACHE = 'webhook-endpoints';

/**
 * The active endpoints of a tenant, consulted for every domain event. Most tenants have none, and an event
 * must not cost them a database transaction; cached per process and dropped on every replica when an endpoint
 * of the tenant changes.
 */
@Injectable()
export class ActiveEndpointsCache {
  private readonly cache: TtlCache<string, ActiveEndpoint[]>;

  constructor(
    private readonly bus: CacheBus,
    private readonly tenantDb: TenantDb,
    private readonly repo: WebhooksRepository,
  ) {
    this.cache = bus.cache<ActiveEndpoint[]>(CACHE, 30_000);
  }

  /** Runs inside the tenant's request context. */
  forTenant(tenantId: string): Promise<ActiveEndpoint[]> {
    return this.cache.getOrLoad(tenantId, () => this.tenantDb.run((tx) => this.repo.activeEndpoints(tx)));
  }

  invalidate(tenantId: string): Promise<void> {
    return this.bus.invalidate(CACHE, tenantId);
  }
}
