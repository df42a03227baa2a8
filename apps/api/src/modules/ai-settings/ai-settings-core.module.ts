import { Global, Module } from '@nestjs/common';
import { AiServiceClientModule } from '../../common/ai/ai-service.client.js';
import { AiProviderResolver } from './ai-provider.resolver.js';
import { AiSettingsRepository } from './ai-settings.repository.js';
import { UnderstandingFlag } from './understanding-flag.js';

/** What the API and the worker both need to call the AI service for a tenant. */
@Global()
@Module({
  imports: [AiServiceClientModule],
  providers: [AiSettingsRepository, AiProviderResolver, UnderstandingFlag],
  exports: [AiSettingsRepository, AiProviderResolver, UnderstandingFlag, AiServiceClientModule],
})
export class AiSettingsCoreModule {}
