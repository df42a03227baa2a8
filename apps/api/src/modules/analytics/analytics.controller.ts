import { Controller, Get } from '@nestjs/common';
import { ZDashboardResponse } from '@orbitdesk/shared';
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
}
