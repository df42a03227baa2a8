import { Injectable, type OnModuleInit } from '@nestjs/common';
import { LOOP_PORTS, ZLoopNodeData } from '@orbitdesk/shared';
import { FlowNodeRegistry } from '../engine/flow-node-registry.js';
import type { FlowNode, FlowRunContext, NodeHandler, NodeResult } from '../engine/node-handler.js';
import { resolveTemplate } from './template.js';
import { isPlainObject } from './util/path.js';
import { fail, parseNodeData } from './util/node-data.js';

/** The session variable holding every active loop's position, by node id. Not writable by Set Variable. */
export const LOOP_STATE_VAR = '__loop';

interface LoopPosition {
  /** The index of the next element to hand out. */
  next: number;
}

function positions(ctx: FlowRunContext): Record<string, LoopPosition> {
  const state = ctx.vars[LOOP_STATE_VAR];
  return isPlainObject(state) ? (state as Record<string, LoopPosition>) : {};
}

/**
 * Loop: the executor calls a node once per visit, so the position is kept in the session's variables
 * (`__loop[nodeId].next`) and each visit hands out one element on `item`, with the element in `itemVariable`
 * and its index in `indexVariable`. The graph wires the last node of the body back to this node; when the list
 * is used up (or `maxIterations` reached) the node takes `done` and forgets its position, so the loop runs
 * afresh the next time the flow reaches it (an inner loop restarts on each pass of an outer one).
 * The list is read again on each visit, so the body may not grow it past `maxIterations`.
 */
@Injectable()
export class LoopNode implements NodeHandler, OnModuleInit {
  readonly type = 'loop';

  constructor(private readonly registry: FlowNodeRegistry) {}

  onModuleInit(): void {
    this.registry.register(this);
  }

  execute(node: FlowNode, ctx: FlowRunContext): Promise<NodeResult> {
    return Promise.resolve(this.step(node, ctx));
  }

  private step(node: FlowNode, ctx: FlowRunContext): NodeResult {
    const parsed = parseNodeData(ZLoopNodeData, node);
    if (!parsed.ok) return parsed.result;
    const { items, itemVariable, indexVariable, maxIterations } = parsed.data;
    const source = items.includes('{{') ? items : `{{vars.${items}}}`;
    const resolved = resolveTemplate(source, ctx);
    if (!Array.isArray(resolved)) {
      const found = resolved === undefined || resolved === null ? 'nothing' : `a ${typeof resolved}`;
      return fail(node, `items: ${items} must be a list, but it holds ${found}`);
    }
    const list = resolved as unknown[];
    const { [node.id]: current, ...others } = positions(ctx);
    // The position comes back from the session row; anything but a count starts the loop over.
    const next: unknown = current?.next;
    const index = typeof next === 'number' && Number.isInteger(next) && next >= 0 ? next : 0;
    const end = Math.min(list.length, maxIterations);
    if (index >= end) {
      return {
        kind: 'next',
        port: LOOP_PORTS.done,
        vars: { [LOOP_STATE_VAR]: others },
        output: { iterations: index, total: list.length, truncated: list.length > maxIterations },
      };
    }
    return {
      kind: 'next',
      port: LOOP_PORTS.item,
      vars: {
        [itemVariable]: list[index],
        [indexVariable]: index,
        [LOOP_STATE_VAR]: { ...others, [node.id]: { next: index + 1 } },
      },
      output: { index, total: list.length },
    };
  }
}
