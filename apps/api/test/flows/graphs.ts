import type { TFlowGraph } from '@orbitdesk/shared';

/** Test graphs in the FlowGram free-layout shape. */
const at = (x: number) => ({ position: { x, y: 0 } });

export const node = (id: string, type: string, data: Record<string, unknown> = {}, x = 0) => ({
  id,
  type,
  meta: at(x),
  data,
});
export const edge = (sourceNodeID: string, targetNodeID: string, sourcePortID?: string) => ({
  sourceNodeID,
  targetNodeID,
  ...(sourcePortID ? { sourcePortID } : {}),
});

/** trigger → send "Hello {{contact.name}}" → end */
export const helloGraph = (text = 'Hello {{contact.name}}'): TFlowGraph => ({
  nodes: [
    node('start', 'trigger'),
    node('hello', 'send_message', { messageType: 'text', text }, 200),
    node('done', 'end', {}, 400),
  ],
  edges: [edge('start', 'hello'), edge('hello', 'done')],
});

/** The conversation: keyword → question → wait for reply → condition on the answer → handoff. */
export const supportGraph = (teamId: string): TFlowGraph => ({
  nodes: [
    node('start', 'trigger'),
    node('ask', 'send_message', { messageType: 'text', text: 'Hi {{contact.name}}! Sales or support?' }),
    node('wait', 'wait_for_reply', { saveAs: 'topic', timeout: { amount: 1, unit: 'hours' } }),
    node('route', 'condition', {
      branches: [
        { id: 'support', rules: [{ left: '{{vars.topic}}', operator: 'contains', right: 'support' }] },
      ],
    }),
    node('handoff', 'human_handoff', { teamId, note: 'Bot: {{contact.name}} asked for {{vars.topic}}' }),
    node('bye', 'send_message', { messageType: 'text', text: 'Thanks, we will write to you.' }),
    node('late', 'send_message', { messageType: 'text', text: 'No answer; write again any time.' }),
  ],
  edges: [
    edge('start', 'ask'),
    edge('ask', 'wait'),
    edge('wait', 'route'),
    edge('wait', 'late', 'timeout'),
    edge('route', 'handoff', 'support'),
    edge('route', 'bye', 'else'),
  ],
});

/** trigger → delay → send → end */
export const delayGraph = (seconds: number): TFlowGraph => ({
  nodes: [
    node('start', 'trigger'),
    node('pause', 'delay', { amount: seconds, unit: 'seconds' }),
    node('after', 'send_message', { messageType: 'text', text: 'After the delay' }),
  ],
  edges: [edge('start', 'pause'), edge('pause', 'after')],
});
