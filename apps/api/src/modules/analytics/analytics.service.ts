import { Injectable, Logger } from '@nestjs/common';
import {
  MESSAGE_INTENTS,
  ZDashboardResponse,
  type TDashboardResponse,
  type TIntentStats,
  type TIntentStatsQuery,
} from '@orbitdesk/shared';
import { badRequest } from '../../common/http/errors.js';
import { RedisService } from '../../common/redis/redis.module.js';
import { requestContext } from '../../common/tenancy/request-context.js';
import { TenantDb } from '../../common/tenancy/tenant-db.service.js';
import { AnalyticsRepository } from './analytics.repository.js';

export const DASHBOARD_CACHE_SECONDS = 300;
/** The intents window when the caller names none. */
export const INTENT_STATS_DEFAULT_DAYS = 30;
const DAY_MS = 86_400_000;

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

  /**
   * Message understanding over a window (default: the last 30 days up to now). Every intent is listed, most
   * frequent first (zeros last, in MESSAGE_INTENTS order), so a chart has a stable set of bars.
   */
  async intents(query: TIntentStatsQuery): Promise<TIntentStats> {
    const to = query.to ? new Date(query.to) : new Date();
    const from = query.from
      ? new Date(query.from)
      : new Date(to.getTime() - INTENT_STATS_DEFAULT_DAYS * DAY_MS);
    if (from >= to) throw badRequest('Validation failed: query.from: must be before to');
    const counts = await this.tenantDb.run((tx) => this.repo.intents(tx, from, to));
    const byIntent = new Map(counts.intents.map((i) => [i.intent, i.count]));
    const intents = MESSAGE_INTENTS.map((intent) => ({ intent, count: byIntent.get(intent) ?? 0 })).sort(
      (a, b) => b.count - a.count || MESSAGE_INTENTS.indexOf(a.intent) - MESSAGE_INTENTS.indexOf(b.intent),
    );
    return { intents, averageSentiment: counts.averageSentiment, languages: counts.languages };
  }
}
