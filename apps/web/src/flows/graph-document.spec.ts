import type { TFlowGraph } from '@orbitdesk/shared';
import { describe, expect, it } from 'vitest';
import { fromFlowGraph, nextNodeId, toFlowGraph } from './graph-document';
import { problemsByNode } from './graph-problems';

const graph: TFlowGraph = {
  nodes: [
    { id: 'start', type: 'trigger', meta: { position: { x: 0, y: 0 } }, data: {} },
    { id: 'route', type: 'condition', meta: { position: { x: 320, y: 40 } }, data: { branches: [] } },
    { id: 'bye', type: 'end', data: {} },
  ],
  edges: [
    { sourceNodeID: 'start', targetNodeID: 'route' },
    { sourceNodeID: 'route', targetNodeID: 'bye', sourcePortID: 'else' },
  ],
};

describe('the FlowGram document and the stored graph', () => {
  it('splits a graph into canvas and settings and puts it back together unchanged', () => {
    const { canvas, data } = fromFlowGraph(graph);
    expect(canvas.nodes[1]).toEqual({
      id: 'route',
      type: 'condition',
      meta: { position: { x: 320, y: 40 } },
    });
    expect(data.route).toEqual({ branches: [] });
    const back = toFlowGraph(canvas, data);
    expect(back.edges).toEqual(graph.edges);
    expect(back.nodes.slice(0, 2)).toEqual(graph.nodes.slice(0, 2));
    // A node stored without a position gets one on the canvas, and keeps it from then on.
    expect(back.nodes[2]).toEqual({ id: 'bye', type: 'end', meta: { position: { x: 640, y: 0 } }, data: {} });
  });

  it('drops the default port and rounds positions the canvas reports', () => {
    const back = toFlowGraph(
      {
        nodes: [{ id: 'a', type: 'trigger', meta: { position: { x: 10.6, y: -3.2 } } }],
        edges: [{ sourceNodeID: 'a', targetNodeID: 'b', sourcePortID: '' }],
      },
      {},
    );
    expect(back.nodes[0]).toEqual({
      id: 'a',
      type: 'trigger',
      meta: { position: { x: 11, y: -3 } },
      data: {},
    });
    expect(back.edges).toEqual([{ sourceNodeID: 'a', targetNodeID: 'b' }]);
  });

  it('names new nodes after their type with the first free number', () => {
    expect(nextNodeId('end', ['end_1', 'end_2', 'trigger'])).toBe('end_3');
    expect(nextNodeId('loop', ['end_1'])).toBe('loop_1');
  });

  it('groups problems by node, each message once, whole-graph ones under null', () => {
    const grouped = problemsByNode([
      { nodeId: 'a', message: 'x' },
      { nodeId: 'a', message: 'x' },
      { nodeId: null, message: 'the flow has no trigger node' },
    ]);
    expect(grouped.get('a')).toEqual(['x']);
    expect(grouped.get(null)).toEqual(['the flow has no trigger node']);
  });
});
