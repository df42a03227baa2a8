import { Injectable, Optional, type OnModuleInit } from '@nestjs/common';
import { CONDITION_ELSE_PORT, ZConditionNodeData, type TConditionNodeData } from '@orbitdesk/shared';
import { FlowNodeRegistry } from '../engine/flow-node-registry.js';
import type { FlowNode, FlowRunContext, NodeHandler, NodeResult } from '../engine/node-handler.js';
import { evaluateRule, readsUnderstanding } from './condition-rules.js';
import { FlowMessageUnderstanding } from './flow-message-understanding.js';
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

  constructor(
    private readonly registry: FlowNodeRegistry,
    @Optional() private readonly understanding?: FlowMessageUnderstanding,
  ) {}

  onModuleInit(): void {
    this.registry.register(this);
  }

  async execute(node: FlowNode, ctx: FlowRunContext): Promise<NodeResult> {
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
    if (!branches.some((branch) => branch.rules.some(readsUnderstanding)))
      return this.decide(node, branches, ctx);
    const { runCtx, output } = await this.withUnderstanding(ctx);
    return this.decide(node, branches, runCtx, output);
  }

  private decide(
    node: FlowNode,
    branches: TConditionNodeData['branches'],
    ctx: FlowRunContext,
    output: Record<string, unknown> = {},
  ): NodeResult {
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
      if (matched) return { kind: 'next', port: branch.id, output: { branch: branch.id, ...output } };
    }
    return { kind: 'next', port: CONDITION_ELSE_PORT, output: { branch: CONDITION_ELSE_PORT, ...output } };
  }

  /**
   * The run's message with `intent`, `sentiment` and `language` added, classifying it now if its job has not run
   * yet. When that is not possible (no words, the AI service failing) the placeholders stay empty and the rules
   * decide on that, usually `else`; the log's output says why.
   */
  private async withUnderstanding(
    ctx: FlowRunContext,
  ): Promise<{ runCtx: FlowRunContext; output: Record<string, unknown> }> {
    if (!ctx.message || !this.understanding) return { runCtx: ctx, output: { understanding: null } };
    try {
      const found = await this.understanding.understand(ctx.tenantId, ctx.message, {
        testMode: ctx.testMode,
        signal: ctx.signal,
      });
      if (!found) return { runCtx: ctx, output: { understanding: null } };
      const { intent, sentiment, language } = found;
      return {
        runCtx: {
          ...ctx,
          message: { ...ctx.message, intent, sentiment, language } as FlowRunContext['message'],
        },
        output: { understanding: found },
      };
    } catch (err) {
      return { runCtx: ctx, output: { understanding: null, understandingError: (err as Error).message } };
    }
  }
}
