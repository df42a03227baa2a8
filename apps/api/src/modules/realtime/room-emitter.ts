import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { Emitter } from '@socket.io/redis-emitter';
import { Redis } from 'ioredis';
import { APP_CONFIG, type AppConfig } from '../../config/app-config.js';
import type { TenantRole } from '@orbitdesk/shared';
import { CHAT_NAMESPACE, rooms, type ServerToClientEvents } from './realtime.events.js';

type ServerEvent = keyof ServerToClientEvents;

/**
 * Where realtime events go. In the API it is the Socket.IO server itself; in the worker (which has no sockets)
 * it publishes through Redis to every API process's adapter, so events raised by jobs (delivery status, snooze
 * wake-ups) still reach agents.
 */
export abstract class RoomEmitter {
  abstract emit<E extends ServerEvent>(
    rooms: string[],
    event: E,
    payload: Parameters<ServerToClientEvents[E]>[0],
  ): void;

  /**
   * A user's saved access, applied to their open sockets on every API process: a deactivated user's sockets
   * close; the admins room (what only admins may see, such as a device's linking QR code) follows the role, so a
   * demoted admin stops receiving it now rather than when the access token expires.
   */
  abstract applyAccess(tenantId: string, userId: string, access: UserAccess): void;
}

export interface UserAccess {
  role: TenantRole;
  isActive: boolean;
}

/** The room operations both emitters share (a Socket.IO namespace and the Redis emitter have the same calls). */
interface RoomOperations {
  in(room: string): {
    disconnectSockets(close: boolean): void;
    socketsJoin(room: string): void;
    socketsLeave(room: string): void;
  };
}

export function applyAccessTo(
  target: RoomOperations,
  tenantId: string,
  userId: string,
  access: UserAccess,
): void {
  const sockets = target.in(rooms.user(tenantId, userId));
  if (!access.isActive) sockets.disconnectSockets(true);
  else if (access.role === 'ADMIN') sockets.socketsJoin(rooms.admins(tenantId));
  else sockets.socketsLeave(rooms.admins(tenantId));
}

/** The worker's emitter: the Socket.IO Redis emitter on the same key as the API's adapter. */
@Injectable()
export class RedisRoomEmitter extends RoomEmitter implements OnApplicationShutdown {
  private readonly redis: Redis;
  private readonly chat: Emitter<ServerToClientEvents>;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    super();
    // No keyPrefix: pub/sub channels are not keys; the deployment prefix is part of the adapter key instead.
    this.redis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: 2, commandTimeout: 2_000 });
    this.redis.on('error', () => undefined);
    this.chat = new Emitter<ServerToClientEvents>(this.redis, {
      key: `${config.REDIS_KEY_PREFIX}socket.io`,
    }).of(CHAT_NAMESPACE);
  }

  emit<E extends ServerEvent>(
    rooms: string[],
    event: E,
    payload: Parameters<ServerToClientEvents[E]>[0],
  ): void {
    this.chat.to(rooms).emit(event, ...([payload] as Parameters<ServerToClientEvents[E]>));
  }

  applyAccess(tenantId: string, userId: string, access: UserAccess): void {
    applyAccessTo(this.chat, tenantId, userId, access);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
