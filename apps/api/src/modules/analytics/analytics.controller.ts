import { Controller, Get, Query } from '@nestjs/common';
import {
  ZDashboardResponse,
  ZIntentStats,
  ZIntentStatsQuery,
  type TIntentStatsQuery,
} from '@orbitdesk/shared';
import { Roles } from '../../common/auth/access.decorators.js';
import { Contract } from '../../common/http/contract.js';
import { AnalyticsService } from './analytics.service.js';

@Controller('analytics')
export class AnalyticsController {
  constructor(private readonly analytics: AnalyticsService) {}

  @Get('dashboard')
  @Roles('MANAGER')
  @Contract({
    summary: 'Dashboard KPIs and the 7-day inbound/outbound volume (UTC days; cached for 5 minutes)',
    tags: ['Analytics'],
    response: ZDashboardResponse,
  })
  dashboard() {
    return this.analytics.dashboard();
  }

  @Get('intents')
  @Roles('MANAGER')
  @Contract({
    summary:
      'What contacts write about: inbound messages by intent, average sentiment and languages (default: 30 days)',
    tags: ['Analytics'],
    query: ZIntentStatsQuery,
    response: ZIntentStats,
  })
  intents(@Query() query: TIntentStatsQuery) {
    return this.analytics.intents(query);
  }
}
