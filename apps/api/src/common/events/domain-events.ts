import { Global, Injectable, Logger, Module } from '@nestjs/common';
import { EventEmitter } from 'node:events';
import type { TContact, TConversation, TenantRole, TMessage } from '@orbitdesk/shared';

/**
 * What happened, published in-process right after the transaction that made it true has committed.
 * Consumers (realtime, outgoing webhooks, flows, AI) subscribe here; none of them can slow down or fail the
 * request that published the event.
 */
export interface DomainEventMap {
  'message.created': { tenantId: string; message: TMessage; conversation: TConversation };
  'message.status': { tenantId: string; message: TMessage };
  'message.updated': { tenantId: string; message: TMessage };
  'conversation.created': { tenantId: string; conversation: TConversation };
  'conversation.updated': { tenantId: string; conversation: TConversation; changes: string[] };
  /** An agent read the conversation; `lastInbound` is what the channel may report as read to the contact. */
  'conversation.read': { tenantId: string; conversation: TConversation; lastInbound: TMessage | null };
  'contact.created': { tenantId: string; contact: TContact };
  /** `addedTags`: tags this change added (flows' tag_added trigger); absent when the publisher does not know. */
  'contact.updated': { tenantId: string; contact: TContact; addedTags?: string[] };
  /** A user's role or active flag was saved: open sessions follow it (realtime rooms, disconnects). */
  'user.updated': { tenantId: string; userId: string; role: TenantRole; isActive: boolean };
}
export type DomainEventName = keyof DomainEventMap;
type Listener<K extends DomainEventName> = (payload: DomainEventMap[K]) => void | Promise<void>;

@Injectable()
export class DomainEvents {
  private readonly logger = new Logger('DomainEvents');
  private readonly emitter = new EventEmitter({ captureRejections: false });

  constructor() {
    this.emitter.setMaxListeners(50);
  }

  /** Events published but not yet delivered, in publish order. */
  private pending: [DomainEventName, unknown][] = [];
  /** Callers of delivered() waiting for the pending events. */
  private waiting: (() => void)[] = [];

  /**
   * Call only after commit. Listeners run on a later turn of the event loop, in publish order; their errors are
   * logged, never thrown back. Everything published in one turn is delivered in one macrotask, so the Redis and
   * queue writes those listeners start together leave in one pipelined write (group-committed messages publish
   * their events together).
   */
  publish<K extends DomainEventName>(name: K, payload: DomainEventMap[K]): void {
    if (this.pending.push([name, payload]) > 1) return;
    setImmediate(() => {
      const batch = this.pending;
      const waiting = this.waiting;
      this.pending = [];
      this.waiting = [];
      for (const [event, data] of batch) this.emitter.emit(event, data);
      for (const resolve of waiting) resolve();
    });
  }

  /**
   * Resolves once every event published so far has been handed to its listeners (their synchronous part ran:
   * socket frames written, jobs sent). A request that awaits it answers after its events went out, so an API
   * client that sees the answer can rely on the agents' sockets having been sent the event, and the event's
   * frames leave in the same turn as the answer instead of one loop iteration after it.
   */
  delivered(): Promise<void> {
    if (!this.pending.length) return Promise.resolve();
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  on<K extends DomainEventName>(name: K, listener: Listener<K>): () => void {
    const wrapped = (payload: DomainEventMap[K]) => {
      try {
        const result = listener(payload);
        if (result instanceof Promise) result.catch((err: Error) => this.fail(name, err));
      } catch (err) {
        this.fail(name, err as Error);
      }
    };
    this.emitter.on(name, wrapped);
    return () => this.emitter.off(name, wrapped);
  }

  private fail(name: string, err: Error): void {
    this.logger.error({ err }, `listener of ${name} failed: ${err.message}`);
  }
}

@Global()
@Module({ providers: [DomainEvents], exports: [DomainEvents] })
export class DomainEventsModule {}
