import { Module } from '@nestjs/common';
import { TokenService } from '../auth/token.service.js';
import { PresenceService } from './presence.service.js';
import { RealtimeAuthService } from './realtime-auth.service.js';
import { RealtimeEventsListener } from './realtime-events.listener.js';
import { RealtimeRedis } from './realtime-redis.js';
import { RealtimeGateway } from './realtime.gateway.js';
import { RealtimeRepository } from './realtime.repository.js';
import { RealtimeService } from './realtime.service.js';
import { RedisRoomEmitter, RoomEmitter } from './room-emitter.js';

@Module({
  providers: [
    // AuthModule does not export TokenService; it is stateless (config only), so a local instance is equal.
    TokenService,
    RealtimeRedis,
    PresenceService,
    RealtimeAuthService,
    RealtimeRepository,
    RealtimeGateway,
    RealtimeEventsListener,
    RealtimeService,
    { provide: RoomEmitter, useExisting: RealtimeGateway },
  ],
  exports: [RealtimeService],
})
export class RealtimeModule {}

/**
 * The worker's side: no sockets, but the same event-to-room mapping and RealtimeService, emitting through Redis
 * to the API processes' Socket.IO servers.
 */
@Module({
  providers: [
    RealtimeRedis,
    PresenceService,
    RealtimeEventsListener,
    RealtimeService,
    { provide: RoomEmitter, useClass: RedisRoomEmitter },
  ],
  exports: [RealtimeService],
})
export class RealtimeRelayModule {}
