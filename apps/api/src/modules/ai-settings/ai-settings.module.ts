import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module.js';
import { AiSettingsController } from './ai-settings.controller.js';
import { AiSettingsService } from './ai-settings.service.js';

/** The workspace's AI settings (API); the repository and resolver come from the global AiSettingsCoreModule. */
@Module({
  imports: [AuditModule],
  controllers: [AiSettingsController],
  providers: [AiSettingsService],
})
export class AiSettingsModule {}
