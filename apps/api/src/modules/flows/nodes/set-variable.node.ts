import { Injectable, type OnModuleInit } from '@nestjs/common';
import { ZSetVariableNodeData, type TSetVariableNodeData } from '@orbitdesk/shared';
import { FlowNodeRegistry } from '../engine/flow-node-registry.js';
import type { FlowNode, FlowRunContext, NodeHandler, NodeResult } from '../engine/node-handler.js';
import { renderTemplate, resolveTemplate } from './template.js';
import { toBoolean, toNumber } from './util/coerce.js';
import { fail, parseNodeData } from './util/node-data.js';
import { toText } from './util/text.js';

/** Variables live in the session row; one value bigger than this is a mistake, not data a flow needs. */
export const MAX_VARIABLE_BYTES = 64 * 1024;

type Assignment = TSetVariableNodeData['assignments'][number];

type Typed = { ok: true; value: unknown } | { ok: false; error: string };

function typedValue(a: Assignment, ctx: FlowRunContext): Typed {
  switch (a.type) {
    case 'string':
      return { ok: true, value: renderTemplate(a.value, ctx) };
    case 'number': {
      const text = renderTemplate(a.value, ctx);
      const n = toNumber(text);
      return n === undefined
        ? { ok: false, error: `${JSON.stringify(text)} is not a number` }
        : { ok: true, value: n };
    }
    case 'boolean': {
      const text = renderTemplate(a.value, ctx);
      const b = toBoolean(text);
      return b === undefined
        ? { ok: false, error: `${JSON.stringify(text)} is not true or false` }
        : { ok: true, value: b };
    }
    case 'json': {
      const raw = resolveTemplate(a.value, ctx);
      if (typeof raw !== 'string') return { ok: true, value: raw ?? null };
      try {
        return { ok: true, value: JSON.parse(raw) as unknown };
      } catch {
        return { ok: false, error: `${JSON.stringify(raw.slice(0, 100))} is not valid JSON` };
      }
    }
  }
}

/**
 * Set Variable: each assignment is rendered in order and sees the ones before it, so `total` can use the
 * `price` set one line above. Nothing is written unless every assignment succeeds.
 */
@Injectable()
export class SetVariableNode implements NodeHandler, OnModuleInit {
  readonly type = 'set_variable';

  constructor(private readonly registry: FlowNodeRegistry) {}

  onModuleInit(): void {
    this.registry.register(this);
  }

  execute(node: FlowNode, ctx: FlowRunContext): Promise<NodeResult> {
    return Promise.resolve(this.assign(node, ctx));
  }

  private assign(node: FlowNode, ctx: FlowRunContext): NodeResult {
    const parsed = parseNodeData(ZSetVariableNodeData, node);
    if (!parsed.ok) return parsed.result;
    const changes: Record<string, unknown> = {};
    for (const [i, a] of parsed.data.assignments.entries()) {
      const typed = typedValue(a, { ...ctx, vars: { ...ctx.vars, ...changes } });
      if (!typed.ok) return fail(node, `assignments.${i} (${a.name}): ${typed.error}`);
      if (Buffer.byteLength(toText(typed.value)) > MAX_VARIABLE_BYTES) {
        return fail(
          node,
          `assignments.${i} (${a.name}): the value is larger than ${MAX_VARIABLE_BYTES} bytes`,
        );
      }
      changes[a.name] = typed.value;
    }
    return { kind: 'next', vars: changes, output: { set: changes } };
  }
}
