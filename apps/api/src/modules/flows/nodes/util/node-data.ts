import type { z } from 'zod';
import { describeIssues } from '../../../../common/http/errors.js';
import type { FlowNode, NodeResult } from '../../engine/node-handler.js';

/**
 * The graph was validated when it was saved, but a handler still checks its node's data: a version stored
 * before a schema change, or a row edited by hand, must end the run with a plain message naming the field
 * instead of failing somewhere deep inside a send.
 */
export function parseNodeData<S extends z.ZodType>(
  schema: S,
  node: FlowNode<unknown>,
): { ok: true; data: z.infer<S> } | { ok: false; result: NodeResult } {
  const parsed = schema.safeParse(node.data ?? {});
  if (parsed.success) return { ok: true, data: parsed.data };
  const issues = describeIssues('data', parsed.error).map((i) => `${i.path}: ${i.message}`);
  return { ok: false, result: fail(node, `invalid settings: ${issues.join('; ')}`) };
}

/** A failed run's message always says which node failed, so the log reads on its own. */
export function fail(node: FlowNode<unknown>, message: string): NodeResult {
  return { kind: 'fail', error: `${node.type} node ${node.id}: ${message}` };
}
