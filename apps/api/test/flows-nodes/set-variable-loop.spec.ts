import { describe, expect, it } from 'vitest';
import { FlowNodeRegistry } from '../../src/modules/flows/engine/flow-node-registry.js';
import type { FlowRunContext, NodeResult } from '../../src/modules/flows/engine/node-handler.js';
import { LoopNode } from '../../src/modules/flows/nodes/loop.node.js';
import { SetVariableNode } from '../../src/modules/flows/nodes/set-variable.node.js';
import { makeNode, makeRunContext } from './context.js';

const setVariable = new SetVariableNode(new FlowNodeRegistry());
const loop = new LoopNode(new FlowNodeRegistry());

const assign = (assignments: unknown[], ctx = makeRunContext()) =>
  setVariable.execute(makeNode('set_variable', { assignments }), ctx);

describe('set_variable node', () => {
  const ctx = makeRunContext({
    message: { id: 'm', type: 'text', text: ' 42 ', content: {} },
    webhook: {
      body: { items: [{ sku: 'A' }, { sku: 'B' }], paid: 'yes' },
      query: {},
      headers: {},
      method: 'POST',
      receivedAt: '2026-01-01T00:00:00.000Z',
      token: 't',
    },
    vars: { price: 10 },
  });

  it('writes typed values, each assignment seeing the ones before it', async () => {
    const r = await assign(
      [
        { name: 'greeting', value: 'Hi {{contact.name}}' },
        { name: 'qty', value: '{{message.text}}', type: 'number' },
        { name: 'paid', value: '{{webhook.body.paid}}', type: 'boolean' },
        { name: 'items', value: '{{webhook.body.items}}', type: 'json' },
        { name: 'config', value: '{"a": [1, "{{vars.price}}"]}', type: 'json' },
        { name: 'again', value: '{{vars.qty}}/{{vars.greeting}}' },
      ],
      ctx,
    );
    expect(r).toMatchObject({
      kind: 'next',
      vars: {
        greeting: 'Hi Ada Lovelace',
        qty: 42,
        paid: true,
        items: [{ sku: 'A' }, { sku: 'B' }],
        config: { a: [1, '10'] },
        again: '42/Hi Ada Lovelace',
      },
    });
  });

  it('fails naming the assignment when a value does not fit its type, writing nothing', async () => {
    const cases: [unknown, string][] = [
      [
        { name: 'n', value: '{{contact.name}}', type: 'number' },
        'assignments.1 (n): "Ada Lovelace" is not a number',
      ],
      [{ name: 'b', value: 'maybe', type: 'boolean' }, 'assignments.1 (b): "maybe" is not true or false'],
      [{ name: 'j', value: '{oops', type: 'json' }, 'assignments.1 (j): "{oops" is not valid JSON'],
      [{ name: 'big', value: 'x'.repeat(10_000) + '{{vars.big}}' }, 'value'],
    ];
    for (const [second, message] of cases) {
      const r = await assign([{ name: 'ok', value: 'fine' }, second], ctx);
      expect(r.kind, JSON.stringify(second)).toBe('fail');
      expect(r.kind === 'fail' && r.error).toContain(message);
      expect(r).not.toHaveProperty('vars');
    }
  });

  it('refuses unsafe or reserved names', async () => {
    for (const name of ['__proto__', '__loop', 'a.b', '1x', '', 'x y']) {
      const r = await assign([{ name, value: 'v' }]);
      expect(r.kind, name).toBe('fail');
      expect(r.kind === 'fail' && r.error, name).toContain('assignments.0.name');
    }
  });

  it('refuses a value over the size bound', async () => {
    const big = makeRunContext({ vars: { blob: 'x'.repeat(70 * 1024) } });
    const r = await assign([{ name: 'copy', value: '{{vars.blob}}' }], big);
    expect(r.kind === 'fail' && r.error).toContain('larger than 65536 bytes');
  });
});

/** Runs the Loop node the way the executor would: apply each result's vars, come back after the body. */
async function drive(data: Record<string, unknown>, ctx: FlowRunContext, maxVisits = 50) {
  const node = makeNode('loop', data, 'loop_7');
  let vars = { ...ctx.vars };
  const seen: unknown[] = [];
  let last: NodeResult | undefined;
  for (let visit = 0; visit < maxVisits; visit++) {
    last = await loop.execute(node, { ...ctx, vars });
    if (last.kind !== 'next') return { last, seen, vars };
    vars = { ...vars, ...last.vars };
    if (last.port === 'done') return { last, seen, vars };
    seen.push([vars.item ?? vars.order, vars.index ?? vars.i]);
  }
  throw new Error('the loop never finished');
}

describe('loop node', () => {
  it('hands out each element on item, then takes done and forgets its position', async () => {
    const ctx = makeRunContext({ vars: { list: ['a', 'b', 'c'] } });
    const { last, seen, vars } = await drive({ items: '{{vars.list}}' }, ctx);
    expect(seen).toEqual([
      ['a', 0],
      ['b', 1],
      ['c', 2],
    ]);
    expect(last).toMatchObject({ port: 'done', output: { iterations: 3, total: 3, truncated: false } });
    expect(vars.__loop).toEqual({});
  });

  it('accepts a bare variable name, webhook lists and custom variable names', async () => {
    const ctx = makeRunContext({
      vars: { orders: [{ id: 1 }] },
      webhook: { body: { rows: [5, 6] }, query: {}, headers: {}, method: 'POST', receivedAt: '', token: 't' },
    });
    expect((await drive({ items: 'orders', itemVariable: 'order', indexVariable: 'i' }, ctx)).seen).toEqual([
      [{ id: 1 }, 0],
    ]);
    expect((await drive({ items: '{{webhook.body.rows}}' }, ctx)).seen).toEqual([
      [5, 0],
      [6, 1],
    ]);
  });

  it('stops at maxIterations and says the list was cut short', async () => {
    const ctx = makeRunContext({ vars: { list: [1, 2, 3, 4, 5] } });
    const { last, seen } = await drive({ items: 'list', maxIterations: 2 }, ctx);
    expect(seen).toHaveLength(2);
    expect(last).toMatchObject({ port: 'done', output: { iterations: 2, total: 5, truncated: true } });
  });

  it('an empty list goes straight to done', async () => {
    const { last, seen } = await drive({ items: 'list' }, makeRunContext({ vars: { list: [] } }));
    expect(seen).toEqual([]);
    expect(last).toMatchObject({ port: 'done' });
  });

  it('keeps the positions of other loops (nested loops)', async () => {
    const ctx = makeRunContext({ vars: { list: [1], __loop: { outer: { next: 3 } } } });
    const first = await loop.execute(makeNode('loop', { items: 'list' }, 'inner'), ctx);
    expect(first).toMatchObject({
      port: 'item',
      vars: { __loop: { outer: { next: 3 }, inner: { next: 1 } } },
    });
  });

  it('fails plainly when the items are not a list or the settings are wrong', async () => {
    const ctx = makeRunContext({ vars: { name: 'Ada' } });
    const notList = await loop.execute(makeNode('loop', { items: 'name' }), ctx);
    expect(notList.kind === 'fail' && notList.error).toBe(
      'loop node loop_1: items: name must be a list, but it holds a string',
    );
    const missing = await loop.execute(makeNode('loop', { items: '{{vars.nope}}' }), ctx);
    expect(missing.kind === 'fail' && missing.error).toContain('holds nothing');
    const bad = await loop.execute(makeNode('loop', { items: 'name', maxIterations: 5000 }), ctx);
    expect(bad.kind === 'fail' && bad.error).toContain('data.maxIterations');
    const badVar = await loop.execute(makeNode('loop', { items: 'name', itemVariable: '__proto__' }), ctx);
    expect(badVar.kind === 'fail' && badVar.error).toContain('data.itemVariable');
  });
});
