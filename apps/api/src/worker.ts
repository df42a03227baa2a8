import 'reflect-metadata';
import { ConsoleLogger, Global, Logger, Module, type DynamicModule, type LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Worker } from 'bullmq';
import type { INestApplicationContext } from '@nestjs/common';
import { pathToFileURL } from 'node:url';
import { CacheBusModule } from './common/cache/cache-bus.js';
import { CryptoModule } from './common/crypto/crypto.module.js';
import { HttpClientModule } from './common/http-client/http-client.module.js';
import { DomainEventsModule } from './common/events/domain-events.js';
import { bullPrefix, createBullConnection } from './common/queue/bullmq-connection.js';
import { OUTBOUND_QUEUE, type OutboundJobData } from './common/queue/queue.constants.js';
import { RedisModule } from './common/redis/redis.module.js';
import { TenancyModule } from './common/tenancy/tenancy.module.js';
import { APP_CONFIG, type AppConfig } from './config/app-config.js';
import { loadProcessConfig } from './config/dotenv.js';
import { Database } from './db/database.js';
import { AiSettingsCoreModule } from './modules/ai-settings/ai-settings-core.module.js';
import { AiUnderstandingWorkerModule } from './modules/ai-understanding/ai-understanding-worker.module.js';
import { ChatAgentsWorkerModule } from './modules/chat-agents/chat-agents-worker.module.js';
import { KnowledgeWorkerModule } from './modules/knowledge/knowledge-worker.module.js';
import { ContactImportWorkerModule } from './modules/contacts/contact-import-worker.module.js';
import { ConversationWakeWorkerModule } from './modules/conversations/conversation-wake-worker.module.js';
import { OutboundProcessor } from './modules/messages/outbound.processor.js';
import { OutboundWorkerModule } from './modules/messages/outbound-worker.module.js';
import { EmailWorkerModule } from './modules/channels/email/email.module.js';
import { FlowsWorkerModule } from './modules/flows/flows-worker.module.js';
import { AssignmentWorkerModule } from './modules/conversations/assignment.module.js';
import { WhatsAppQrWorkerModule } from './modules/channels/whatsapp-qr/whatsapp-qr.module.js';
import { RealtimeRelayModule } from './modules/realtime/realtime.module.js';
import { WebhooksOutWorkerModule } from './modules/webhooks-out/webhooks-out-worker.module.js';

/** The worker's infrastructure: configuration and Postgres (no HTTP, no rate limiting). */
@Global()
@Module({})
class WorkerCoreModule {
  static register(config: AppConfig): DynamicModule {
    return {
      module: WorkerCoreModule,
      providers: [{ provide: APP_CONFIG, useValue: config }, Database],
      exports: [APP_CONFIG, Database],
    };
  }
}

/** The same code as the API, running only the BullMQ processors. */
@Module({})
export class WorkerModule {
  static register(config: AppConfig): DynamicModule {
    return {
      module: WorkerModule,
      imports: [
        WorkerCoreModule.register(config),
        CryptoModule,
        DomainEventsModule,
        RedisModule,
        CacheBusModule,
        HttpClientModule,
        TenancyModule,
        AiSettingsCoreModule,
        OutboundWorkerModule,
        ConversationWakeWorkerModule,
        RealtimeRelayModule,
        WebhooksOutWorkerModule,
        ContactImportWorkerModule,
        AssignmentWorkerModule,
        EmailWorkerModule,
        WhatsAppQrWorkerModule,
        FlowsWorkerModule,
        AiUnderstandingWorkerModule,
        KnowledgeWorkerModule,
        ChatAgentsWorkerModule,
      ],
    };
  }
}

const NEST_LEVELS: Record<AppConfig['LOG_LEVEL'], LogLevel[]> = {
  trace: ['verbose', 'debug', 'log', 'warn', 'error', 'fatal'],
  debug: ['debug', 'log', 'warn', 'error', 'fatal'],
  info: ['log', 'warn', 'error', 'fatal'],
  warn: ['warn', 'error', 'fatal'],
  error: ['error', 'fatal'],
  fatal: ['fatal'],
  silent: [],
};

export interface RunningWorker {
  /** The worker's Nest context (its DomainEvents, Database, ...). */
  app: INestApplicationContext;
  close(): Promise<void>;
}

/** Starts the queue consumers; used by the worker process below and, in-process, by the tests. */
export async function startWorker(config: AppConfig): Promise<RunningWorker> {
  const levels = NEST_LEVELS[config.LOG_LEVEL];
  const app = await NestFactory.createApplicationContext(WorkerModule.register(config), {
    logger: levels.length ? new ConsoleLogger({ json: true, logLevels: levels }) : false,
  });
  const processor = app.get(OutboundProcessor);
  const connection = createBullConnection(config, 'worker');
  const outbound = new Worker<OutboundJobData>(OUTBOUND_QUEUE, (job) => processor.process(job), {
    connection,
    prefix: bullPrefix(config),
    concurrency: 10,
  });
  // Job failures are handled (and logged) by the processor; this catches the worker's own connection errors.
  outbound.on('error', (err) => new Logger('OutboundWorker').error(`worker error: ${err.message}`));
  await outbound.waitUntilReady();
  return {
    app,
    async close() {
      // Lets running jobs finish, then releases Redis and Postgres.
      await outbound.close();
      await connection.quit().catch(() => connection.disconnect());
      await app.close();
    },
  };
}

async function main(): Promise<void> {
  const worker = await startWorker(loadProcessConfig());
  const logger = new Logger('Worker');
  logger.log('worker started: outbound, conversation-wake, webhooks, contact-import, flow-run, flow-resume');
  let stopping = false;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      if (stopping) return;
      stopping = true;
      logger.log(`${signal}: finishing running jobs`);
      worker.close().then(
        () => process.exit(0),
        (err: Error) => {
          logger.error(`shutdown failed: ${err.message}`);
          process.exit(1);
        },
      );
    });
  }
}

// Run only as the entry point (`node dist/worker.js`), not when the tests import startWorker.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
