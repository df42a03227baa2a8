import { Injectable, type OnModuleInit } from '@nestjs/common';
import { flowDurationMs, ZDelayNodeData } from '@orbitdesk/shared';
import { FlowNodeRegistry } from '../flow-node-registry.js';
import type { FlowNode, NodeHandler, NodeResult } from '../node-handler.js';
import { parseNodeData } from '../../nodes/util/node-data.js';

/** Trigger: where every run starts. What started it is already in the context; it passes straight on. */
@Injectable()
export class TriggerNode implements NodeHandler, OnModuleInit {
  readonly type = 'trigger';
  constructor(private readonly registry: FlowNodeRegistry) {}
  onModuleInit(): void {
    this.registry.register(this);
  }
  execute(): Promise<NodeResult> {
    return Promise.resolve({ kind: 'next' });
  }
}

/** End: stops the session successfully. */
@Injectable()
export class EndNode implements NodeHandler, OnModuleInit {
  readonly type = 'end';
  constructor(private readonly registry: FlowNodeRegistry) {}
  onModuleInit(): void {
    this.registry.register(this);
  }
  execute(): Promise<NodeResult> {
    return Promise.resolve({ kind: 'end' });
  }
}

/**
 * Delay: the session waits until the time has passed. The executor makes that durable (a BullMQ delayed job and
 * the session row), so neither a restart nor a long delay loses it.
 */
@Injectable()
export class DelayNode implements NodeHandler, OnModuleInit {
  readonly type = 'delay';
  constructor(private readonly registry: FlowNodeRegistry) {}
  onModuleInit(): void {
    this.registry.register(this);
  }
  execute(node: FlowNode): Promise<NodeResult> {
    const parsed = parseNodeData(ZDelayNodeData, node);
    if (!parsed.ok) return Promise.resolve(parsed.result);
    const until = new Date(Date.now() + flowDurationMs(parsed.data));
    return Promise.resolve({ kind: 'wait', until, output: { until: until.toISOString() } });
  }
}
