import { Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { DomainEvents } from '../../common/events/domain-events.js';
import { RoomEmitter } from './room-emitter.js';
import { rooms } from './realtime.events.js';

/**
 * Maps committed domain events to Socket.IO rooms, in-process and never through a queue, so a stopped worker
 * never stops live updates. The worker runs this listener too, with a Redis emitter, for the events its jobs raise. Every room is derived from the event's tenant id.
 *
 * Private notes go out like any message: only the tenant's own agents hold sockets on /chat. If visitors
 * (widget) ever connect here, `isPrivate` messages must be filtered first.
 */
@Injectable()
export class RealtimeEventsListener implements OnModuleInit, OnModuleDestroy {
  private readonly unsubscribe: (() => void)[] = [];

  constructor(
    private readonly events: DomainEvents,
    private readonly emitter: RoomEmitter,
  ) {}

  onModuleInit(): void {
    this.unsubscribe.push(
      this.events.on('message.created', ({ tenantId, message, conversation }) => {
        this.emitter.emit(
          [rooms.tenant(tenantId), rooms.conversation(tenantId, message.conversationId)],
          'new_message',
          { message, conversation },
        );
      }),
      this.events.on('message.status', ({ tenantId, message }) => {
        this.emitter.emit(
          [rooms.tenant(tenantId), rooms.conversation(tenantId, message.conversationId)],
          'message_status',
          { message },
        );
      }),
      this.events.on('message.updated', ({ tenantId, message }) => {
        this.emitter.emit(
          [rooms.tenant(tenantId), rooms.conversation(tenantId, message.conversationId)],
          'message_updated',
          { message },
        );
      }),
      this.events.on('conversation.created', ({ tenantId, conversation }) => {
        this.emitter.emit(
          [rooms.tenant(tenantId), rooms.conversation(tenantId, conversation.id)],
          'conversation_updated',
          { conversation, created: true, changes: [] },
        );
      }),
      this.events.on('conversation.updated', ({ tenantId, conversation, changes }) => {
        this.emitter.emit(
          [rooms.tenant(tenantId), rooms.conversation(tenantId, conversation.id)],
          'conversation_updated',
          { conversation, created: false, changes },
        );
      }),
      this.events.on('user.updated', ({ tenantId, userId, role, isActive }) => {
        this.emitter.applyAccess(tenantId, userId, { role, isActive });
      }),
    );
  }

  onModuleDestroy(): void {
    for (const off of this.unsubscribe.splice(0)) off();
  }
}
