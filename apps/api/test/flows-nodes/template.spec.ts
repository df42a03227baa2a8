import { describe, expect, it } from 'vitest';
import { renderTemplate, renderValue, resolveTemplate } from '../../src/modules/flows/nodes/template.js';
import { makeFlowContact, makeRunContext } from './context.js';

const ctx = makeRunContext({
  contact: makeFlowContact({
    name: 'Ada',
    phone: '+15550001111',
    email: 'ada@example.com',
    customFields: { plan: 'pro', seats: 12, address: { city: 'London' } },
  }),
  message: { id: 'm1', type: 'text', text: 'I want a refund', content: {} },
  vars: { orderId: 'A-17', count: 3, ok: false, nested: { a: { b: 'deep' } }, list: [1, 2], nothing: null },
  webhook: {
    body: { order: { id: 991, items: [{ sku: 'X1' }] } },
    query: { source: 'shop', multi: ['a', 'b'] },
    headers: { 'x-request-id': 'req-1', 'content-type': 'application/json' },
    method: 'POST',
    receivedAt: '2026-01-02T03:04:05.000Z',
    token: '7d1c3a3e-8f7e-4c55-9a0e-111111111111',
  },
});

describe('renderTemplate', () => {
  it('fills in the contact, message and variables', () => {
    expect(
      renderTemplate(
        'Hi {{contact.name}} ({{contact.phone}}, {{ contact.email }}): "{{message.text}}" order {{vars.orderId}}',
        ctx,
      ),
    ).toBe('Hi Ada (+15550001111, ada@example.com): "I want a refund" order A-17');
  });

  it('reads custom fields and nested variables', () => {
    expect(renderTemplate('{{contact.customFields.plan}}/{{contact.customFields.address.city}}', ctx)).toBe(
      'pro/London',
    );
    expect(renderTemplate('{{vars.nested.a.b}} {{vars.list.1}}', ctx)).toBe('deep 2');
  });

  it('reads every part of the webhook request', () => {
    expect(
      renderTemplate(
        '{{webhook.body.order.id}} {{webhook.body.order.items.0.sku}} {{webhook.query.source}} ' +
          '{{webhook.headers.x-request-id}} {{webhook.method}} {{webhook.receivedAt}} {{webhook.token}}',
        ctx,
      ),
    ).toBe('991 X1 shop req-1 POST 2026-01-02T03:04:05.000Z 7d1c3a3e-8f7e-4c55-9a0e-111111111111');
  });

  it('matches header names without regard to case', () => {
    expect(renderTemplate('{{webhook.headers.X-Request-Id}}', ctx)).toBe('req-1');
  });

  it('writes numbers and booleans as text and objects and arrays as JSON', () => {
    expect(renderTemplate('{{vars.count}} {{vars.ok}}', ctx)).toBe('3 false');
    expect(renderTemplate('{{vars.nested}}', ctx)).toBe('{"a":{"b":"deep"}}');
    expect(renderTemplate('{{webhook.query.multi}}', ctx)).toBe('["a","b"]');
  });

  it('leaves missing values, unknown roots and malformed paths empty', () => {
    expect(
      renderTemplate('[{{vars.missing}}][{{vars.nothing}}][{{secrets.x}}][{{vars..x}}][{{}}]', ctx),
    ).toBe('[][][][][]');
    expect(renderTemplate('{{message.text}}', makeRunContext({ message: null }))).toBe('');
    expect(renderTemplate('{{webhook.body.a}}', makeRunContext({ webhook: null }))).toBe('');
  });

  it('never reaches the prototype chain or a function', () => {
    for (const t of [
      '{{vars.__proto__}}',
      '{{constructor.constructor}}',
      '{{vars.constructor.constructor}}',
      '{{vars.toString}}',
      '{{vars.list.length}}',
      '{{contact.name.length}}',
      '{{vars.nested.prototype}}',
      '{{webhook.body.__proto__.polluted}}',
    ]) {
      expect(renderTemplate(t, ctx), t).toBe('');
    }
  });

  it('never expands placeholders that arrive inside a value', () => {
    const hostile = makeRunContext({
      message: { id: 'm', type: 'text', text: '{{contact.email}} ${process.env.X} `id`', content: {} },
    });
    expect(renderTemplate('You said: {{message.text}}', hostile)).toBe(
      'You said: {{contact.email}} ${process.env.X} `id`',
    );
  });

  it('keeps text without placeholders and unbalanced braces as written', () => {
    expect(renderTemplate('plain {text} {{ not closed', ctx)).toBe('plain {text} {{ not closed');
  });
});

describe('resolveTemplate', () => {
  it('gives the raw value for a single placeholder and text otherwise', () => {
    expect(resolveTemplate('{{vars.list}}', ctx)).toEqual([1, 2]);
    expect(resolveTemplate(' {{ vars.count }} ', ctx)).toBe(3);
    expect(resolveTemplate('n={{vars.count}}', ctx)).toBe('n=3');
    expect(resolveTemplate('{{vars.__proto__}}', ctx)).toBeUndefined();
  });
});

describe('renderValue', () => {
  it('renders strings inside objects and arrays and keeps other values', () => {
    expect(
      renderValue(
        {
          id: '{{vars.orderId}}',
          who: { name: '{{contact.name}}' },
          tags: ['{{vars.count}}', 5, true, null],
        },
        ctx,
      ),
    ).toEqual({ id: 'A-17', who: { name: 'Ada' }, tags: ['3', 5, true, null] });
  });

  it('keeps a "__proto__" key as a plain key without touching any prototype', () => {
    const body = JSON.parse('{"__proto__": {"polluted": "{{vars.orderId}}"}}') as unknown;
    const out = renderValue(body, ctx) as Record<string, unknown>;
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(out, '__proto__')?.value).toEqual({ polluted: 'A-17' });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
