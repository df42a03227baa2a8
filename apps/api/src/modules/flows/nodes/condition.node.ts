import { Injectable, type OnModuleInit } from '@nestjs/common';
import { CONDITION_ELSE_PORT, ZConditionNodeData } from '@orbitdesk/shared';
import { FlowNodeRegistry } from '../engine/flow-node-registry.js';
import type { FlowNode, FlowRunContext, NodeHandler, NodeResult } from '../engine/node-handler.js';
import { evaluateRule } from './condition-rules.js';
import { fail, parseNodeData } from './util/node-data.js';
import { compileRegex } from './util/safe-regex.js';

/**
 * Condition: the branches are tried in order and the first whose rules hold (all of them for AND, one for OR)
 * decides the port; none → `else`. Every regex is compiled before anything is evaluated, so a broken pattern
 * fails the run every time, not only when the rules before it let it be reached.
 */
@Injectable()
export class ConditionNode implements NodeHandler, OnModuleInit {
  readonly type = 'condition';

  constructor(private readonly registry: FlowNodeRegistry) {}

  onModuleInit(): void {
    this.registry.register(this);
  }

  execute(node: FlowNode, ctx: FlowRunContext): Promise<NodeResult> {
    return Promise.resolve(this.decide(node, ctx));
  }

  private decide(node: FlowNode, ctx: FlowRunContext): NodeResult {
    const parsed = parseNodeData(ZConditionNodeData, node);
    if (!parsed.ok) return parsed.result;
    const { branches } = parsed.data;
    for (const [b, branch] of branches.entries()) {
      for (const [r, rule] of branch.rules.entries()) {
        if (rule.operator !== 'regex') continue;
        const compiled = compileRegex(rule.right, rule.caseSensitive);
        if (!(compiled instanceof RegExp)) return fail(node, `branches.${b}.rules.${r}: ${compiled.error}`);
      }
    }
    for (const [b, branch] of branches.entries()) {
      const wantAll = branch.combinator === 'AND';
      let matched = wantAll;
      for (const [r, rule] of branch.rules.entries()) {
        const verdict = evaluateRule(rule, ctx);
        if (!verdict.ok) return fail(node, `branches.${b}.rules.${r}: ${verdict.error}`);
        if (verdict.matched !== wantAll) {
          matched = !wantAll;
          break;
        }
      }
      if (matched) return { kind: 'next', port: branch.id, output: { branch: branch.id } };
    }
    return { kind: 'next', port: CONDITION_ELSE_PORT, output: { branch: CONDITION_ELSE_PORT } };
  }
}
