import { validateFlowGraph } from '@orbitdesk/shared';
import { describe, expect, it } from 'vitest';
import { pickMessageFlow } from '../../src/modules/flows/triggers/flow-trigger-matcher.js';
import { edge, helloGraph, node, supportGraph } from './graphs.js';

describe('validateFlowGraph', () => {
  it('accepts the graphs the engine tests run', () => {
    expect(validateFlowGraph(helloGraph())).toEqual([]);
    expect(validateFlowGraph(supportGraph('00000000-0000-4000-8000-000000000000'))).toEqual([]);
  });

  it('an edge from a condition must name one of its branches or else', () => {
    const graph = supportGraph('00000000-0000-4000-8000-000000000000');
    graph.edges.push(edge('route', 'bye'));
    expect(validateFlowGraph(graph)).toEqual([
      { nodeId: 'route', message: 'edge from a condition must name its branch (sourcePortID)' },
    ]);
  });

  it('reports every data problem of a node, and a node id used twice', () => {
    const problems = validateFlowGraph({
      nodes: [
        node('start', 'trigger'),
        node('wait', 'delay', { amount: 200, unit: 'days' }),
        node('wait', 'human_handoff', {}),
      ],
      edges: [edge('start', 'wait')],
    });
    expect(problems).toContainEqual({ nodeId: 'wait', message: 'node id is used twice' });
    expect(problems).toContainEqual({ nodeId: 'wait', message: 'data.amount: must be at most 90 days' });
    expect(problems).toContainEqual({
      nodeId: 'wait',
      message: 'data.teamId: teamId or agentId is required',
    });
  });
});

describe('pickMessageFlow', () => {
  const flow = (
    id: string,
    triggerType: 'keyword' | 'message_received',
    settings: object,
    priority = 0,
    t = 0,
  ) => ({
    id,
    priority,
    createdAt: new Date(t),
    triggerType,
    triggerSettings: settings as Record<string, unknown>,
  });
  const channel = '11111111-1111-4111-8111-111111111111';

  it('keywords beat the catch-all; among keywords the higher priority, then the older flow', () => {
    const flows = [
      flow('all', 'message_received', {}, 99),
      flow('low', 'keyword', { keywords: ['order'], match: 'contains' }, 1, 1),
      flow('high', 'keyword', { keywords: ['ORDER status'], match: 'exact' }, 5, 2),
      flow('high-newer', 'keyword', { keywords: ['order status'], match: 'exact' }, 5, 3),
    ];
    expect(pickMessageFlow(flows, '  order   STATUS ', channel)?.id).toBe('high');
    expect(pickMessageFlow(flows, 'where is my order?', channel)?.id).toBe('low');
    expect(pickMessageFlow(flows, 'hello', channel)?.id).toBe('all');
    expect(pickMessageFlow(flows, null, channel)?.id).toBe('all');
  });

  it('honours the inbox filter', () => {
    const flows = [
      flow('other-inbox', 'keyword', {
        keywords: ['hi'],
        channelIds: ['22222222-2222-4222-8222-222222222222'],
      }),
    ];
    expect(pickMessageFlow(flows, 'hi', channel)).toBeUndefined();
  });
});
