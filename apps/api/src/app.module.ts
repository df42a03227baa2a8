import { Global, Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER, APP_INTERCEPTOR, DiscoveryModule } from '@nestjs/core';
import { APP_CONFIG, type AppConfig } from './config/app-config.js';
import { CacheBusModule } from './common/cache/cache-bus.js';
import { CryptoModule } from './common/crypto/crypto.module.js';
import { HttpClientModule } from './common/http-client/http-client.module.js';
import { DomainEventsModule } from './common/events/domain-events.js';
import { ContextInterceptor } from './common/http/context.interceptor.js';
import { ContractInterceptor } from './common/http/contract.interceptor.js';
import { HttpExceptionFilter } from './common/http/http-exception.filter.js';
import { DirectRoutes } from './common/http/direct-routes.js';
import { RateLimiterService } from './common/rate-limit/rate-limiter.service.js';
import { RedisModule } from './common/redis/redis.module.js';
import { TenancyModule } from './common/tenancy/tenancy.module.js';
import { Database } from './db/database.js';
import { AiSettingsCoreModule } from './modules/ai-settings/ai-settings-core.module.js';
import { AiSettingsModule } from './modules/ai-settings/ai-settings.module.js';
import { AiUnderstandingModule } from './modules/ai-understanding/ai-understanding.module.js';
import { AppointmentsModule } from './modules/appointments/appointments.module.js';
import { ChatAgentsModule } from './modules/chat-agents/chat-agents.module.js';
import { KnowledgeModule } from './modules/knowledge/knowledge.module.js';
import { AnalyticsModule } from './modules/analytics/analytics.module.js';
import { ApiKeysModule } from './modules/api-keys/api-keys.module.js';
import { AttachmentsModule } from './modules/attachments/attachments.module.js';
import { AuditModule } from './modules/audit/audit.module.js';
import { AuthModule } from './modules/auth/auth.module.js';
import { ChannelsModule } from './modules/channels/channels.module.js';
import { ContactsModule } from './modules/contacts/contacts.module.js';
import { FlowsModule } from './modules/flows/flows.module.js';
import { ConversationsModule } from './modules/conversations/conversations.module.js';
import { HealthModule } from './modules/health/health.module.js';
import { MessagesModule } from './modules/messages/messages.module.js';
import { NotificationsModule } from './modules/notifications/notifications.module.js';
import { PlatformModule } from './modules/platform/platform.module.js';
import { RealtimeModule } from './modules/realtime/realtime.module.js';
import { TeamsModule } from './modules/teams/teams.module.js';
import { UsersModule } from './modules/users/users.module.js';
import { WebhooksOutModule } from './modules/webhooks-out/webhooks-out.module.js';

/** Process-wide infrastructure: configuration, Postgres, rate limiting, direct Fastify routes. */
@Global()
@Module({})
class CoreModule {
  static register(config: AppConfig): DynamicModule {
    return {
      module: CoreModule,
      providers: [{ provide: APP_CONFIG, useValue: config }, Database, RateLimiterService, DirectRoutes],
      exports: [APP_CONFIG, Database, RateLimiterService, DirectRoutes],
    };
  }
}

@Module({})
export class AppModule {
  static register(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        CoreModule.register(config),
        DiscoveryModule,
        RedisModule,
        CryptoModule,
        DomainEventsModule,
        CacheBusModule,
        HttpClientModule,
        TenancyModule,
        AiSettingsCoreModule,
        AuditModule,
        ApiKeysModule,
        AuthModule,
        UsersModule,
        PlatformModule,
        HealthModule,
        ChannelsModule,
        ConversationsModule,
        MessagesModule,
        ContactsModule,
        AnalyticsModule,
        RealtimeModule,
        AttachmentsModule,
        TeamsModule,
        NotificationsModule,
        WebhooksOutModule,
        FlowsModule,
        AiSettingsModule,
        AiUnderstandingModule,
        KnowledgeModule,
        ChatAgentsModule,
        AppointmentsModule,
      ],
      providers: [
        // Order matters: the request context must exist before contracts are checked and handlers run.
        { provide: APP_INTERCEPTOR, useClass: ContextInterceptor },
        { provide: APP_INTERCEPTOR, useClass: ContractInterceptor },
        { provide: APP_FILTER, useClass: HttpExceptionFilter },
      ],
    };
  }
}
