import type { TFlowGraph, TFlowGraphEdge } from '@orbitdesk/shared';

/** Node settings by node id: the builder keeps them itself, the canvas keeps positions and edges. */
export type NodeDataMap = Record<string, Record<string, unknown>>;

/** What the canvas document gives back: FlowGram's WorkflowJSON, narrowed to what a flow stores. */
export interface CanvasJson {
  nodes: { id: string; type: string | number; meta?: { position?: { x: number; y: number } } }[];
  edges: { sourceNodeID: string; targetNodeID: string; sourcePortID?: string | number }[];
}

/** The graph the API stores: the canvas's nodes and edges with each node's settings put back in. */
export function toFlowGraph(canvas: CanvasJson, data: NodeDataMap): TFlowGraph {
  return {
    nodes: canvas.nodes.map((n) => ({
      id: n.id,
      type: String(n.type),
      meta: {
        position: { x: Math.round(n.meta?.position?.x ?? 0), y: Math.round(n.meta?.position?.y ?? 0) },
      },
      data: data[n.id] ?? {},
    })),
    edges: canvas.edges.map((e) => {
      const edge: TFlowGraphEdge = { sourceNodeID: e.sourceNodeID, targetNodeID: e.targetNodeID };
      if (e.sourcePortID !== undefined && e.sourcePortID !== '') edge.sourcePortID = String(e.sourcePortID);
      return edge;
    }),
  };
}

/** Splits a stored graph into the canvas document (no settings) and the settings by node id. */
export function fromFlowGraph(graph: TFlowGraph): { canvas: CanvasJson; data: NodeDataMap } {
  const data: NodeDataMap = {};
  const nodes = graph.nodes.map((n, i) => {
    data[n.id] = n.data;
    // Graphs written through the API may have no positions: lay them out left to right.
    return { id: n.id, type: n.type, meta: { position: n.meta?.position ?? { x: i * 320, y: 0 } } };
  });
  const edges = graph.edges.map((e) => ({
    sourceNodeID: e.sourceNodeID,
    targetNodeID: e.targetNodeID,
    ...(e.sourcePortID !== undefined && e.sourcePortID !== ''
      ? { sourcePortID: String(e.sourcePortID) }
      : {}),
  }));
  return { canvas: { nodes, edges }, data };
}

/** A fresh id for a node of this type that the graph does not use yet (`send_message_3`). */
export function nextNodeId(type: string, taken: Iterable<string>): string {
  const used = new Set(taken);
  let n = 1;
  while (used.has(`${type}_${n}`)) n++;
  return `${type}_${n}`;
}
