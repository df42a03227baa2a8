import { ZFlowGraphErrorDetails, type TFlowGraphProblem } from '@orbitdesk/shared';
import { ApiError } from '../api/client';

/** The graph problems of a 400 (`details.problems`), or null when the error is about something else. */
export function problemsFromError(error: unknown): TFlowGraphProblem[] | null {
  if (!(error instanceof ApiError) || error.status !== 400) return null;
  const parsed = ZFlowGraphErrorDetails.safeParse(error.details);
  return parsed.success ? parsed.data.problems : null;
}

/** Problems by node id (those of the whole graph under `null`), each message once. */
export function problemsByNode(problems: readonly TFlowGraphProblem[]): Map<string | null, string[]> {
  const byNode = new Map<string | null, string[]>();
  for (const { nodeId, message } of problems) {
    const list = byNode.get(nodeId) ?? [];
    if (!list.includes(message)) list.push(message);
    byNode.set(nodeId, list);
  }
  return byNode;
}
