import { z } from 'zod';
import { FLOW_NODE_DATA_SCHEMAS, FLOW_NODE_TYPES, flowNodePorts, type FlowNodeType } from './flow-nodes.js';

/**
 * The FlowGram free-layout document: nodes with id, type, meta.position and data; edges from a node (and one of
 * its output ports, for branches) to another. Editor fields beyond these are kept as given.
 */
export const ZFlowGraphNode = z.looseObject({
  id: z.string().min(1).max(128),
  type: z.string().min(1).max(64),
  meta: z.looseObject({ position: z.object({ x: z.number(), y: z.number() }) }).optional(),
  data: z.record(z.string(), z.unknown()).default({}),
});
export type TFlowGraphNode = z.infer<typeof ZFlowGraphNode>;

export const ZFlowGraphEdge = z.looseObject({
  sourceNodeID: z.string().min(1).max(128),
  targetNodeID: z.string().min(1).max(128),
  /** The source node's output port (a Condition branch id, `else`, Loop's `item`/`done`, `timeout`). */
  sourcePortID: z.union([z.string().max(128), z.number()]).optional(),
  targetPortID: z.union([z.string().max(128), z.number()]).optional(),
});
export type TFlowGraphEdge = z.infer<typeof ZFlowGraphEdge>;

export const MAX_FLOW_NODES = 200;
export const ZFlowGraph = z.looseObject({
  nodes: z.array(ZFlowGraphNode).max(MAX_FLOW_NODES),
  edges: z.array(ZFlowGraphEdge).max(MAX_FLOW_NODES * 5),
});
export type TFlowGraph = z.infer<typeof ZFlowGraph>;

/** One thing wrong with a graph; `nodeId` is null for problems of the whole graph (no trigger). */
export const ZFlowGraphProblem = z.object({
  nodeId: z.string().nullable(),
  message: z.string(),
});
export type TFlowGraphProblem = z.infer<typeof ZFlowGraphProblem>;

const isNodeType = (type: string): type is FlowNodeType =>
  (FLOW_NODE_TYPES as readonly string[]).includes(type);

/** An edge's port as a string, or undefined for the node's default output. */
export const edgePort = (e: TFlowGraphEdge): string | undefined =>
  e.sourcePortID === undefined || e.sourcePortID === '' ? undefined : String(e.sourcePortID);

/**
 * Every problem of a graph, each with its node id: duplicate ids, unknown types, invalid node data (one entry per
 * zod issue), dangling edges, ports a node does not have, no trigger or more than one, unreachable nodes.
 */
export function validateFlowGraph(graph: TFlowGraph): TFlowGraphProblem[] {
  const problems: TFlowGraphProblem[] = [];
  const nodes = new Map<string, TFlowGraphNode>();
  for (const node of graph.nodes) {
    if (nodes.has(node.id)) problems.push({ nodeId: node.id, message: 'node id is used twice' });
    nodes.set(node.id, node);
    if (!isNodeType(node.type)) {
      problems.push({ nodeId: node.id, message: `unknown node type "${node.type}"` });
      continue;
    }
    const parsed = FLOW_NODE_DATA_SCHEMAS[node.type].safeParse(node.data);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        problems.push({ nodeId: node.id, message: `data.${issue.path.join('.')}: ${issue.message}` });
      }
    }
  }

  const triggers = graph.nodes.filter((n) => n.type === 'trigger');
  if (!triggers.length) problems.push({ nodeId: null, message: 'the flow has no trigger node' });
  for (const extra of triggers.slice(1)) {
    problems.push({ nodeId: extra.id, message: 'a flow has exactly one trigger node; this is another' });
  }

  const outgoing = new Map<string, string[]>();
  for (const edge of graph.edges) {
    const source = nodes.get(edge.sourceNodeID);
    const target = nodes.get(edge.targetNodeID);
    if (!source) {
      problems.push({ nodeId: edge.sourceNodeID, message: `edge from a node that does not exist` });
    }
    if (!target) {
      problems.push({
        nodeId: source ? source.id : edge.targetNodeID,
        message: `edge to node "${edge.targetNodeID}", which does not exist`,
      });
    }
    if (!source || !target) continue;
    if (target.type === 'trigger')
      problems.push({ nodeId: source.id, message: 'edge into the trigger node' });
    const portProblem = checkPort(source, edgePort(edge));
    if (portProblem) problems.push({ nodeId: source.id, message: portProblem });
    outgoing.set(source.id, [...(outgoing.get(source.id) ?? []), target.id]);
  }

  if (triggers.length) {
    const reached = new Set<string>([triggers[0]!.id]);
    const queue = [triggers[0]!.id];
    while (queue.length) {
      for (const next of outgoing.get(queue.shift()!) ?? []) {
        if (!reached.has(next)) {
          reached.add(next);
          queue.push(next);
        }
      }
    }
    for (const node of nodes.values()) {
      if (!reached.has(node.id) && node.type !== 'trigger') {
        problems.push({ nodeId: node.id, message: 'unreachable from the trigger' });
      }
    }
  }
  return problems;
}

/** Condition edges must name one of its branches or `else`; Loop and Wait for Reply edges a port they have. */
function checkPort(source: TFlowGraphNode, port: string | undefined): string | undefined {
  if (!isNodeType(source.type)) return undefined;
  const ports = flowNodePorts(source.type, source.data);
  if (!ports) return undefined;
  if (source.type === 'condition' && port === undefined) {
    return 'edge from a condition must name its branch (sourcePortID)';
  }
  if (port !== undefined && !ports.includes(port)) {
    return `port "${port}" does not exist on this ${source.type} node (ports: ${ports.join(', ')})`;
  }
  return undefined;
}
