import {
  FLOW_NODE_DATA_SCHEMAS,
  FLOW_NODE_TYPES,
  validateFlowGraph,
  ZConditionNodeData,
  ZHttpRequestNodeData,
  ZSendMessageNodeData,
  ZWaitForReplyNodeData,
} from '@orbitdesk/shared';
import { describe, expect, it } from 'vitest';
import { NODE_KINDS } from './node-catalog';
import { parseLines } from './schema-form';
import { defaultValue, describeSchema, humanize, type FieldSpec } from './schema-fields';

const fieldsOf = (spec: FieldSpec) => (spec.kind === 'group' ? Object.fromEntries(spec.fields) : {});

describe('node settings forms read from the zod schemas', () => {
  it('draws Send Message as a choice of message type, each with its own fields', () => {
    const spec = describeSchema(ZSendMessageNodeData);
    expect(spec.kind).toBe('variant');
    if (spec.kind !== 'variant') return;
    expect(spec.discriminator).toBe('messageType');
    expect(Object.keys(spec.options)).toEqual(['text', 'template', 'media']);
    expect(fieldsOf(describeSchema(spec.options.text!)).text).toEqual({
      kind: 'text',
      optional: false,
      multiline: true,
    });
  });

  it('draws Condition branches and their rules as repeatable groups, with enums as choices', () => {
    const branches = fieldsOf(describeSchema(ZConditionNodeData)).branches!;
    expect(branches.kind).toBe('repeat');
    if (branches.kind !== 'repeat' || branches.item.kind !== 'group')
      throw new Error('not a repeat of groups');
    const branch = Object.fromEntries(branches.item.fields);
    expect(branch.combinator).toEqual({ kind: 'enum', options: ['AND', 'OR'], optional: false });
    expect(branch.rules!.kind).toBe('repeat');
    // A new branch starts with the one rule it needs.
    expect(branches.itemDefault()).toMatchObject({
      id: '',
      combinator: 'AND',
      rules: [{ operator: 'contains', right: '' }],
    });
  });

  it('draws maps as name: value lines, optional groups as switchable, optional text as optional', () => {
    const http = fieldsOf(describeSchema(ZHttpRequestNodeData));
    expect(http.headers).toEqual({ kind: 'record' });
    expect(http.statusVariable).toEqual({ kind: 'text', optional: true, multiline: false });
    expect(http.timeoutMs).toEqual({ kind: 'number', optional: false });
    const wait = fieldsOf(describeSchema(ZWaitForReplyNodeData));
    expect(wait.timeout).toMatchObject({ kind: 'group', optional: true });
    if (wait.timeout?.kind === 'group')
      expect(wait.timeout.initial()).toEqual({ amount: 1, unit: 'seconds' });
  });

  it('has a form and a palette entry for every node type', () => {
    for (const type of FLOW_NODE_TYPES) {
      const spec = describeSchema(FLOW_NODE_DATA_SCHEMAS[type]);
      expect(['group', 'variant']).toContain(spec.kind);
      expect(NODE_KINDS[type].label).toBeTruthy();
    }
  });

  it('starts nodes from settings that need only what the user must type', () => {
    const graph = {
      nodes: FLOW_NODE_TYPES.map((type) => ({ id: type, type, data: NODE_KINDS[type].initialData() })),
      edges: FLOW_NODE_TYPES.filter((t) => t !== 'trigger').map((t) => ({
        sourceNodeID: 'trigger',
        targetNodeID: t,
      })),
    };
    const byNode = new Map<string, string[]>();
    for (const p of validateFlowGraph(graph))
      byNode.set(p.nodeId!, [...(byNode.get(p.nodeId!) ?? []), p.message]);
    // Types without required text are valid as added; the others ask only for their required fields.
    for (const type of ['trigger', 'delay', 'end', 'wait_for_reply'] as const)
      expect(byNode.get(type)).toBeUndefined();
    expect(byNode.get('send_message')).toEqual(['data.text: is required']);
    expect(byNode.get('http_request')).toEqual(['data.url: is required']);
    expect(byNode.get('human_handoff')).toEqual(['data.teamId: teamId or agentId is required']);
  });

  it('gives Condition a port per branch plus else, Wait for Reply a timeout, HTTP Request an error port', () => {
    const ports = NODE_KINDS.condition.outputs({
      branches: [{ id: 'yes', label: 'Said yes' }, { id: 'no' }, { id: '' }, { id: 'yes' }],
    });
    expect(ports).toEqual([
      { id: 'yes', label: 'Said yes' },
      { id: 'no', label: 'no' },
      { id: 'else', label: 'else' },
    ]);
    expect(NODE_KINDS.wait_for_reply.outputs({}).map((p) => p.id)).toEqual(['', 'timeout']);
    expect(NODE_KINDS.http_request.outputs({}).map((p) => p.id)).toEqual(['', 'error']);
    expect(NODE_KINDS.loop.outputs({}).map((p) => p.id)).toEqual(['item', 'done']);
    expect(NODE_KINDS.end.outputs({})).toEqual([]);
  });
});

describe('form helpers', () => {
  it('reads lists and name: value maps from lines, skipping blank ones', () => {
    expect(parseLines('hello\n\n hi there \n', false)).toEqual(['hello', ' hi there ']);
    expect(parseLines('Authorization: Bearer {{vars.t}}\nX-Empty\n: no name', true)).toEqual({
      Authorization: 'Bearer {{vars.t}}',
      'X-Empty': '',
    });
  });

  it('labels fields from their names and defaults numbers to their minimum', () => {
    expect(humanize('messageType')).toBe('Message type');
    expect(humanize('timeoutMs')).toBe('Timeout ms');
    expect(defaultValue(FLOW_NODE_DATA_SCHEMAS.delay)).toEqual({ amount: 1, unit: 'seconds' });
  });
});
