import { Injectable } from '@nestjs/common';
import type { NodeHandler } from './node-handler.js';

/** Node type → handler. Each handler registers itself in its module's onModuleInit. */
@Injectable()
export class FlowNodeRegistry {
  private readonly handlers = new Map<string, NodeHandler>();

  register<D>(handler: NodeHandler<D>): void {
    if (this.handlers.has(handler.type))
      throw new Error(`two handlers registered for node type ${handler.type}`);
    this.handlers.set(handler.type, handler as unknown as NodeHandler);
  }

  get(type: string): NodeHandler | undefined {
    return this.handlers.get(type);
  }

  types(): string[] {
    return [...this.handlers.keys()].sort();
  }
}
