import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module.js';
import { PlatformController } from './platform.controller.js';
import { PlatformRepository } from './platform.repository.js';
import { PlatformService } from './platform.service.js';

@Module({
  imports: [AuditModule],
  controllers: [PlatformController],
  providers: [PlatformService, PlatformRepository],
})
export class PlatformModule {}
