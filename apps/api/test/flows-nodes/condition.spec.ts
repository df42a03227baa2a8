import { describe, expect, it } from 'vitest';
import { FlowNodeRegistry } from '../../src/modules/flows/engine/flow-node-registry.js';
import { ConditionNode } from '../../src/modules/flows/nodes/condition.node.js';
import { makeFlowContact, makeNode, makeRunContext } from './context.js';

const handler = new ConditionNode(new FlowNodeRegistry());

const ctx = makeRunContext({
  contact: makeFlowContact({ name: 'Ada', tags: ['VIP', 'beta'], customFields: { plan: 'Pro' } }),
  message: { id: 'm', type: 'text', text: 'I want a REFUND for order 42', content: {} },
  vars: { score: '7', total: 12.5, empty: '', list: [], answer: 'yes' },
});

type Rule = { left: string; operator: string; right?: string; caseSensitive?: boolean };
const one = (rule: Rule) =>
  handler.execute(makeNode('condition', { branches: [{ id: 'hit', rules: [rule] }] }), ctx);
const port = async (rule: Rule) => {
  const r = await one(rule);
  if (r.kind !== 'next') throw new Error(`expected next, got ${JSON.stringify(r)}`);
  return r.port;
};

describe('condition node', () => {
  it('contains: substring of text, ignoring case unless asked', async () => {
    expect(await port({ left: '{{message.text}}', operator: 'contains', right: 'refund' })).toBe('hit');
    expect(await port({ left: '{{message.text}}', operator: 'contains', right: 'cancel' })).toBe('else');
    expect(
      await port({ left: '{{message.text}}', operator: 'contains', right: 'refund', caseSensitive: true }),
    ).toBe('else');
  });

  it('contains on a list looks for an equal element', async () => {
    expect(await port({ left: '{{contact.tags}}', operator: 'contains', right: 'vip' })).toBe('hit');
    expect(await port({ left: '{{contact.tags}}', operator: 'contains', right: 'vi' })).toBe('else');
  });

  it('equals and not_equals compare numbers as numbers and text as text', async () => {
    expect(await port({ left: '{{vars.score}}', operator: 'equals', right: '7.0' })).toBe('hit');
    expect(await port({ left: '{{contact.customFields.plan}}', operator: 'equals', right: 'pro' })).toBe(
      'hit',
    );
    expect(await port({ left: '{{contact.customFields.plan}}', operator: 'not_equals', right: 'pro' })).toBe(
      'else',
    );
    expect(await port({ left: '{{contact.name}}', operator: 'not_equals', right: 'Bob' })).toBe('hit');
  });

  it('greater_than and less_than need two numbers', async () => {
    expect(await port({ left: '{{vars.total}}', operator: 'greater_than', right: '{{vars.score}}' })).toBe(
      'hit',
    );
    expect(await port({ left: '{{vars.total}}', operator: 'less_than', right: '10' })).toBe('else');
    expect(await port({ left: '{{contact.name}}', operator: 'greater_than', right: '1' })).toBe('else');
    expect(await port({ left: '{{vars.missing}}', operator: 'less_than', right: '1' })).toBe('else');
  });

  it('is_empty and not_empty treat blank text, missing values and empty lists as empty', async () => {
    for (const left of ['{{vars.empty}}', '{{vars.missing}}', '{{vars.list}}', '  ']) {
      expect(await port({ left, operator: 'is_empty' }), left).toBe('hit');
    }
    expect(await port({ left: '{{contact.name}}', operator: 'not_empty' })).toBe('hit');
    expect(await port({ left: '{{vars.list}}', operator: 'not_empty' })).toBe('else');
  });

  it('regex matches the pattern as written, never filled in from templates', async () => {
    expect(await port({ left: '{{message.text}}', operator: 'regex', right: 'order\\s+\\d+$' })).toBe('hit');
    expect(await port({ left: '{{message.text}}', operator: 'regex', right: '^refund' })).toBe('else');
    expect(await port({ left: '{{vars.answer}}', operator: 'regex', right: '^{{vars.answer}}$' })).toBe(
      'else',
    );
  });

  it('an invalid regex fails the run with a plain error naming the rule', async () => {
    const r = await one({ left: '{{message.text}}', operator: 'regex', right: '(unclosed' });
    expect(r.kind).toBe('fail');
    expect(r.kind === 'fail' && r.error).toMatch(
      /^condition node condition_1: branches\.0\.rules\.0: invalid regular expression "\(unclosed"/,
    );
  });

  it('a catastrophic regex is stopped by its time budget instead of freezing the worker', async () => {
    const hostile = makeRunContext({ vars: { text: `${'a'.repeat(5_000)}!` } });
    const started = Date.now();
    const r = await handler.execute(
      makeNode('condition', {
        branches: [{ id: 'hit', rules: [{ left: '{{vars.text}}', operator: 'regex', right: '^(a+)+$' }] }],
      }),
      hostile,
    );
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(r.kind).toBe('fail');
    expect(r.kind === 'fail' && r.error).toContain('took longer than 50 ms');
  });

  it('refuses an overlong pattern', async () => {
    const r = await one({ left: 'x', operator: 'regex', right: 'a'.repeat(501) });
    expect(r.kind === 'fail' && r.error).toContain('longer than 500 characters');
  });

  it('a broken regex in a later branch fails even when an earlier branch matches', async () => {
    const r = await handler.execute(
      makeNode('condition', {
        branches: [
          { id: 'first', rules: [{ left: 'a', operator: 'equals', right: 'a' }] },
          { id: 'second', rules: [{ left: 'a', operator: 'regex', right: '[' }] },
        ],
      }),
      ctx,
    );
    expect(r.kind === 'fail' && r.error).toContain('branches.1.rules.0');
  });

  it('AND needs every rule, OR needs one; the first matching branch wins', async () => {
    const node = makeNode('condition', {
      branches: [
        {
          id: 'vip_refund',
          combinator: 'AND',
          rules: [
            { left: '{{message.text}}', operator: 'contains', right: 'refund' },
            { left: '{{contact.tags}}', operator: 'contains', right: 'gold' },
          ],
        },
        {
          id: 'any_refund',
          combinator: 'OR',
          rules: [
            { left: '{{message.text}}', operator: 'contains', right: 'money back' },
            { left: '{{message.text}}', operator: 'contains', right: 'refund' },
          ],
        },
        { id: 'also_matches', rules: [{ left: '{{contact.name}}', operator: 'not_empty' }] },
      ],
    });
    expect(await handler.execute(node, ctx)).toEqual({
      kind: 'next',
      port: 'any_refund',
      output: { branch: 'any_refund' },
    });
  });

  it('bad settings fail with the field named', async () => {
    const cases: [unknown, RegExp][] = [
      [{}, /data\.branches: /],
      [
        { branches: [{ id: 'a', rules: [{ left: 'x', operator: 'matches' }] }] },
        /branches\.0\.rules\.0\.operator/,
      ],
      [{ branches: [{ id: 'else', rules: [{ left: 'x', operator: 'is_empty' }] }] }, /branches\.0\.id/],
      [
        {
          branches: [
            { id: 'a', rules: [{ left: 'x', operator: 'is_empty' }] },
            { id: 'a', rules: [{ left: 'x', operator: 'is_empty' }] },
          ],
        },
        /branch ids must be unique/,
      ],
      [{ branches: [{ id: 'a', rules: [] }] }, /branches\.0\.rules/],
    ];
    for (const [data, message] of cases) {
      const r = await handler.execute(makeNode('condition', data as Record<string, unknown>), ctx);
      expect(r.kind, JSON.stringify(data)).toBe('fail');
      expect(r.kind === 'fail' && r.error, JSON.stringify(data)).toMatch(message);
    }
  });

  it('registers itself as the condition handler', () => {
    const registry = new FlowNodeRegistry();
    const node = new ConditionNode(registry);
    node.onModuleInit();
    expect(registry.get('condition')).toBe(node);
  });
});
