import {
  edgePort,
  flowNodePorts,
  FLOW_NODE_TYPES,
  type FlowNodeType,
  type TFlowGraph,
} from '@orbitdesk/shared';
import type { FlowNode } from './node-handler.js';

const isNodeType = (type: string): type is FlowNodeType =>
  (FLOW_NODE_TYPES as readonly string[]).includes(type);

/** A graph made walkable: nodes by id, and where each (node, port) leads. */
export class FlowGraphIndex {
  private readonly nodes = new Map<string, FlowNode>();
  private readonly edges = new Map<string, { port: string | undefined; target: string }[]>();

  constructor(graph: TFlowGraph) {
    for (const n of graph.nodes) this.nodes.set(n.id, { id: n.id, type: n.type, data: n.data });
    for (const e of graph.edges) {
      const list = this.edges.get(e.sourceNodeID) ?? [];
      list.push({ port: edgePort(e), target: e.targetNodeID });
      this.edges.set(e.sourceNodeID, list);
    }
  }

  node(id: string): FlowNode | undefined {
    return this.nodes.get(id);
  }

  trigger(): FlowNode | undefined {
    return [...this.nodes.values()].find((n) => n.type === 'trigger');
  }

  /**
   * The node after `from` along `port`. The default output (no port) follows an edge without a port, or else one
   * whose port is not one of the node's named ports (editors give plain outputs port ids of their own).
   */
  next(from: FlowNode, port: string | undefined): FlowNode | undefined {
    const out = this.edges.get(from.id) ?? [];
    let edge = out.find((e) => e.port === port);
    if (!edge && port === undefined) {
      const named = isNodeType(from.type) ? (flowNodePorts(from.type, from.data) ?? []) : [];
      edge = out.find((e) => e.port !== undefined && !named.includes(e.port));
    }
    return edge ? this.nodes.get(edge.target) : undefined;
  }
}
