import { Global, Module } from '@nestjs/common';
import { FlowNodeRegistry } from '../engine/flow-node-registry.js';

/**
 * The one FlowNodeRegistry of the process. Global so that the node handlers (FlowNodesModule) and the executor
 * (the engine's module) inject the same instance: handlers register into it, the executor reads from it.
 */
@Global()
@Module({ providers: [FlowNodeRegistry], exports: [FlowNodeRegistry] })
export class FlowRegistryModule {}
