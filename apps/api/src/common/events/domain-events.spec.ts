import { describe, expect, it } from 'vitest';
import { DomainEvents } from './domain-events.js';

const conversation = (id: string) => ({ id }) as never;

describe('DomainEvents', () => {
  it('delivers on a later turn, in publish order, one task for everything published in a turn', async () => {
    const events = new DomainEvents();
    const seen: string[] = [];
    events.on('conversation.created', ({ conversation: c }) => void seen.push((c as { id: string }).id));
    events.publish('conversation.created', { tenantId: 't', conversation: conversation('1') });
    events.publish('conversation.created', { tenantId: 't', conversation: conversation('2') });
    expect(seen).toEqual([]);
    await new Promise((r) => setImmediate(r));
    expect(seen).toEqual(['1', '2']);
  });

  it('delivered() resolves once the events published so far reached their listeners, and at once when none wait', async () => {
    const events = new DomainEvents();
    const order: string[] = [];
    events.on('conversation.created', () => void order.push('listener'));
    await events.delivered();
    order.push('nothing pending');
    events.publish('conversation.created', { tenantId: 't', conversation: conversation('1') });
    const first = events.delivered().then(() => order.push('first waiter'));
    const second = events.delivered().then(() => order.push('second waiter'));
    await Promise.all([first, second]);
    expect(order).toEqual(['nothing pending', 'listener', 'first waiter', 'second waiter']);
  });

  it('a listener that throws is logged; the others and the waiters still run', async () => {
    const events = new DomainEvents();
    const seen: string[] = [];
    events.on('conversation.created', () => {
      throw new Error('boom');
    });
    events.on('conversation.created', () => void seen.push('second listener'));
    events.publish('conversation.created', { tenantId: 't', conversation: conversation('1') });
    await events.delivered();
    expect(seen).toEqual(['second listener']);
  });
});
