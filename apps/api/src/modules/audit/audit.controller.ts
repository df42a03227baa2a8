import { Controller, Get, Query } from '@nestjs/common';
import { ZAuditPage, ZListAuditQuery, type TListAuditQuery } from '@orbitdesk/shared';
import { Roles } from '../../common/auth/access.decorators.js';
import { Contract } from '../../common/http/contract.js';
import { AuditService } from './audit.service.js';

@Controller('audit-logs')
@Roles('ADMIN')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @Get()
  @Contract({
    summary: 'Audit log of the workspace, newest first',
    tags: ['Audit'],
    query: ZListAuditQuery,
    response: ZAuditPage,
  })
  list(@Query() query: TListAuditQuery) {
    return this.audit.list(query);
  }
}
