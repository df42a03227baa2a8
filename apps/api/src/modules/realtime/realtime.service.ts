import { Injectable } from '@nestjs/common';
import { PresenceService } from './presence.service.js';
import { RoomEmitter } from './room-emitter.js';
import type { TFlowSessionEvent } from '@orbitdesk/shared';
import { rooms, type NotificationEvent } from './realtime.events.js';

/** What other modules use: personal notifications (@mentions) and presence (round-robin assignment). */
@Injectable()
export class RealtimeService {
  constructor(
    private readonly emitter: RoomEmitter,
    private readonly presence: PresenceService,
  ) {}

  /** Reaches the user's sockets on every API process, and only if the user belongs to `tenantId`. */
  notifyUser(tenantId: string, userId: string, notification: NotificationEvent): void {
    this.emitter.emit([rooms.user(tenantId, userId)], 'notification', notification);
  }

  /** A flow session's progress, to every agent of the tenant (the flow builder listens). */
  flowSession(tenantId: string, event: TFlowSessionEvent): void {
    this.emitter.emit([rooms.tenant(tenantId)], 'flow:session', event);
  }

  /** True while the user has at least one socket open on any API process. */
  isOnline(tenantId: string, userId: string): Promise<boolean> {
    return this.presence.isOnline(tenantId, userId);
  }

  onlineUsers(tenantId: string): Promise<string[]> {
    return this.presence.onlineUsers(tenantId);
  }
}
