import { Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { DomainEvents } from '../../common/events/domain-events.js';
import { RealtimeGateway } from './realtime.gateway.js';
import { rooms } from './realtime.events.js';

/**
 * Maps committed domain events to Socket.IO rooms, in-process and never through a queue, so a stopped worker
 * never stops live updates. Every room is derived from the event's tenant id.
 *
 * Private notes go out like any message: only the tenant's own agents hold sockets on /chat. If visitors
 * (widget) ever connect here, `isPrivate` messages must be filtered first.
 */
@Injectable()
export class RealtimeEventsListener implements OnModuleInit, OnModuleDestroy {
  private readonly unsubscribe: (() => void)[] = [];

  constructor(
    private readonly events: DomainEvents,
    private readonly gateway: RealtimeGateway,
  ) {}

  onModuleInit(): void {
    this.unsubscribe.push(
      this.events.on('message.created', ({ tenantId, message, conversation }) => {
        this.gateway.namespace
          ?.to([rooms.tenant(tenantId), rooms.conversation(tenantId, message.conversationId)])
          .emit('new_message', { message, conversation });
      }),
      this.events.on('message.status', ({ tenantId, message }) => {
        this.gateway.namespace
          ?.to([rooms.tenant(tenantId), rooms.conversation(tenantId, message.conversationId)])
          .emit('message_status', { message });
      }),
      this.events.on('conversation.created', ({ tenantId, conversation }) => {
        this.gateway.namespace
          ?.to([rooms.tenant(tenantId), rooms.conversation(tenantId, conversation.id)])
          .emit('conversation_updated', { conversation, created: true, changes: [] });
      }),
      this.events.on('conversation.updated', ({ tenantId, conversation, changes }) => {
        this.gateway.namespace
          ?.to([rooms.tenant(tenantId), rooms.conversation(tenantId, conversation.id)])
          .emit('conversation_updated', { conversation, created: false, changes });
      }),
    );
  }

  onModuleDestroy(): void {
    for (const off of this.unsubscribe.splice(0)) off();
  }
}
