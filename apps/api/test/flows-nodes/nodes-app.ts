import { Global, Module, type DynamicModule, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { CacheBusModule } from '../../src/common/cache/cache-bus.js';
import { CryptoModule } from '../../src/common/crypto/crypto.module.js';
import { DomainEventsModule } from '../../src/common/events/domain-events.js';
import { HttpClientModule } from '../../src/common/http-client/http-client.module.js';
import { RedisModule } from '../../src/common/redis/redis.module.js';
import { TenancyModule } from '../../src/common/tenancy/tenancy.module.js';
import { APP_CONFIG, type AppConfig } from '../../src/config/app-config.js';
import { Database } from '../../src/db/database.js';
import { channels } from '../../src/db/schema/index.js';
import { ChannelCredentialsService } from '../../src/modules/channels/channel-credentials.service.js';
import { FlowNodeRegistry } from '../../src/modules/flows/engine/flow-node-registry.js';
import type { FlowNode, FlowRunContext, NodeResult } from '../../src/modules/flows/engine/node-handler.js';
import { FlowNodesModule } from '../../src/modules/flows/nodes/flow-nodes.module.js';
import { createTestDatabase, type TestDatabase } from '../support/test-db.js';
import { testConfig } from '../support/test-app.js';

@Global()
@Module({})
class NodesCoreModule {
  static register(config: AppConfig): DynamicModule {
    return {
      module: NodesCoreModule,
      providers: [{ provide: APP_CONFIG, useValue: config }, Database],
      exports: [APP_CONFIG, Database],
    };
  }
}

/**
 * FlowNodesModule in a Nest context built like the worker's (the executor runs there), on a fresh database:
 * the handlers are the registered ones, with their real dependencies.
 */
export async function startNodesApp(env: Partial<Record<string, string>> = {}) {
  const db: TestDatabase = await createTestDatabase();
  const config = testConfig({ DATABASE_URL: db.url, ...env });
  const app: INestApplicationContext = await NestFactory.createApplicationContext(
    {
      module: class NodesTestModule {},
      imports: [
        NodesCoreModule.register(config),
        CryptoModule,
        DomainEventsModule,
        RedisModule,
        CacheBusModule,
        HttpClientModule,
        TenancyModule,
        FlowNodesModule,
      ],
    },
    { logger: false },
  );
  const registry = app.get(FlowNodeRegistry);
  const database = app.get(Database);
  const credentials = app.get(ChannelCredentialsService, { strict: false });
  return {
    app,
    config,
    registry,
    database,
    /** Runs the registered handler of `node.type`, as the executor does. */
    run(node: FlowNode, ctx: FlowRunContext): Promise<NodeResult> {
      const handler = registry.get(node.type);
      if (!handler) throw new Error(`no handler for ${node.type}`);
      return handler.execute(node, ctx);
    },
    /** An inbox row with sealed credentials, as POST /channels stores it. */
    async addInbox(
      tenantId: string,
      type: string,
      config: Record<string, unknown>,
      secrets: Record<string, string>,
      extra: { isActive?: boolean; name?: string } = {},
    ) {
      const [row] = await database.unsafe
        .insert(channels)
        .values({
          tenantId,
          type,
          name: extra.name ?? `${type} inbox`,
          config,
          credentials: credentials.seal(tenantId, secrets),
          isActive: extra.isActive ?? true,
        })
        .returning();
      return row!;
    },
    async close() {
      await app.close();
      await db.drop();
    },
  };
}

export type NodesApp = Awaited<ReturnType<typeof startNodesApp>>;
