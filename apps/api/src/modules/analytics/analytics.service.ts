import { Injectable, Logger } from '@nestjs/common';
import { ZDashboardResponse, type TDashboardResponse } from '@orbitdesk/shared';
import { RedisService } from '../../common/redis/redis.module.js';
import { requestContext } from '../../common/tenancy/request-context.js';
import { TenantDb } from '../../common/tenancy/tenant-db.service.js';
import { AnalyticsRepository } from './analytics.repository.js';

export const DASHBOARD_CACHE_SECONDS = 300;

@Injectable()
export class AnalyticsService {
  private readonly logger = new Logger('AnalyticsService');

  constructor(
    private readonly tenantDb: TenantDb,
    private readonly repo: AnalyticsRepository,
    private readonly redis: RedisService,
  ) {}

  /** Cached per tenant for five minutes: the dashboard is glanced at often and changes slowly. */
  async dashboard(): Promise<TDashboardResponse> {
    const key = `analytics:dashboard:${requestContext.tenantId()}`;
    const cached = await this.redis.client.get(key).catch(() => null);
    if (cached) {
      const parsed = ZDashboardResponse.safeParse(JSON.parse(cached));
      if (parsed.success) return parsed.data;
    }
    const counts = await this.tenantDb.run((tx) => this.repo.dashboard(tx));
    const response: TDashboardResponse = {
      totalContacts: counts.totalContacts,
      messagesToday: { inbound: counts.inboundToday, outbound: counts.outboundToday },
      activeConversations: counts.activeConversations,
      activeFlows: counts.activeFlows,
      volume7d: counts.volume,
      generatedAt: new Date().toISOString(),
    };
    await this.redis.client
      .set(key, JSON.stringify(response), 'EX', DASHBOARD_CACHE_SECONDS)
      .catch((err: Error) => this.logger.warn(`dashboard cache write failed: ${err.message}`));
    return response;
  }
}
