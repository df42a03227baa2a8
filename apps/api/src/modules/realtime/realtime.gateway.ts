import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { Server as HttpServer } from 'node:http';
import { Server, type Namespace, type ServerOptions, type Socket } from 'socket.io';
import { z } from 'zod';
import { APP_CONFIG, type AppConfig } from '../../config/app-config.js';
import { Database } from '../../db/database.js';
import { CoalescingWebSocketServer, flushOncePerTask } from './coalescing-ws-server.js';
import { echoSkippingRedisAdapter } from './echo-skipping-redis-adapter.js';
import { PresenceService } from './presence.service.js';
import { HandshakeError, RealtimeAuthService } from './realtime-auth.service.js';
import { RealtimeRedis } from './realtime-redis.js';
import { RealtimeRepository } from './realtime.repository.js';
import { applyAccessTo, RoomEmitter, type UserAccess } from './room-emitter.js';
import {
  CHAT_NAMESPACE,
  rooms,
  SOCKET_PATH,
  type Ack,
  type ClientToServerEvents,
  type InterServerEvents,
  type ServerToClientEvents,
  type SocketIdentity,
} from './realtime.events.js';

type ChatServer = Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketIdentity>;
export type ChatNamespace = Namespace<
  ClientToServerEvents,
  ServerToClientEvents,
  InterServerEvents,
  SocketIdentity
>;
type ChatSocket = Socket<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketIdentity>;

const ZConversationRef = z.object({ conversationId: z.uuid() });
const ZTyping = z.object({ conversationId: z.uuid(), isTyping: z.boolean() });

/** How often open sockets are re-checked against deactivated users and suspended tenants. */
const REVOCATION_SWEEP_MS = 30_000;

/**
 * Socket.IO on the app's own HTTP server (path /socket.io, namespace /chat), fanned out across API processes by
 * the Redis adapter. Built by hand rather than with @nestjs/websockets, which has no Nest 12 release here.
 */
@Injectable()
export class RealtimeGateway extends RoomEmitter implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('Realtime');
  private io?: ChatServer;
  private chat?: ChatNamespace;
  private closing = false;
  private sweepTimer?: NodeJS.Timeout;
  /** Work started by sockets (presence updates, joins) that shutdown waits for. */
  private readonly pending = new Set<Promise<unknown>>();

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly adapterHost: HttpAdapterHost,
    private readonly redis: RealtimeRedis,
    private readonly auth: RealtimeAuthService,
    private readonly presence: PresenceService,
    private readonly database: Database,
    private readonly repository: RealtimeRepository,
  ) {
    super();
  }

  emit<E extends keyof ServerToClientEvents>(
    targets: string[],
    event: E,
    payload: Parameters<ServerToClientEvents[E]>[0],
  ): void {
    this.namespace?.to(targets).emit(event, ...([payload] as Parameters<ServerToClientEvents[E]>));
  }

  applyAccess(tenantId: string, userId: string, access: UserAccess): void {
    const chat = this.namespace;
    // Through the adapter: the sockets of every API process sharing Redis.
    if (chat) applyAccessTo(chat, tenantId, userId, access);
  }

  /** The /chat namespace, or undefined before bootstrap and after shutdown (emits are then dropped). */
  get namespace(): ChatNamespace | undefined {
    return this.closing ? undefined : this.chat;
  }

  async onApplicationBootstrap(): Promise<void> {
    const httpServer = this.adapterHost.httpAdapter.getHttpServer() as HttpServer;
    const io: ChatServer = new Server(httpServer, {
      path: SOCKET_PATH,
      serveClient: false,
      cors: { origin: this.config.CORS_ORIGIN, credentials: true },
      // Clients send small control messages only; the default 1 MB invites abuse.
      maxHttpBufferSize: 64 * 1024,
      // One write per connection per turn for the frames of a burst of events (coalescing-ws-server.ts).
      wsEngine: CoalescingWebSocketServer,
      adapter: echoSkippingRedisAdapter(
        this.redis.pub,
        this.redis.sub,
        { key: `${this.redis.prefix}socket.io` },
        this.redis.peers,
      ) as unknown as ServerOptions['adapter'],
    });
    io.engine.on('connection', flushOncePerTask);
    // Nothing is served on the default namespace; refuse it rather than hold unauthenticated connections.
    io.use((_socket, next) => next(new Error(`Connect to the ${CHAT_NAMESPACE} namespace`)));

    const chat = io.of(CHAT_NAMESPACE);
    chat.use((socket, next) => {
      this.handshake(socket).then(
        () => next(),
        (err: Error) => next(err),
      );
    });
    chat.on('connection', (socket) => this.onConnection(socket));
    this.io = io;
    this.chat = chat;

    this.sweepTimer = setInterval(() => void this.track(this.disconnectRevoked()), REVOCATION_SWEEP_MS);
    this.sweepTimer.unref();

    // This process's presence counts count only while its heartbeat lives (a crashed process's lapse).
    await this.presence.start();

    // Events published right after boot must reach this process's sockets: wait for the adapter's subscriptions,
    // then for the other API processes to acknowledge this one (they skip publishing while they think they are
    // alone).
    await this.redis
      .subscriptionsReady()
      .then(() => this.redis.peers.start())
      .catch((err: Error) => this.logger.warn(`realtime starts without Redis fan-out: ${err.message}`));
  }

  async onModuleDestroy(): Promise<void> {
    if (!this.io || !this.chat) return;
    this.closing = true;
    clearInterval(this.sweepTimer);
    // Local sockets only: io.disconnectSockets() would go through Redis and drop every process's sockets.
    for (const socket of this.chat.sockets.values()) socket.disconnect(true);
    // Their offline presence updates still need Redis and the adapter.
    while (this.pending.size) await Promise.allSettled([...this.pending]);
    await this.presence.stop();
    // Not io.close(): that closes the HTTP server too, which belongs to Fastify and closes after this hook. The
    // adapter's subscriptions end when RealtimeRedis closes its connections, last.
    this.io.engine.close();
  }

  /** Disconnects local sockets of users or tenants blocked since they connected. */
  async disconnectRevoked(): Promise<void> {
    if (!this.chat || this.closing) return;
    const sockets = [...this.chat.sockets.values()];
    const verdicts = new Map<string, Promise<boolean>>();
    for (const { data } of sockets) {
      const key = `${data.tenantId}:${data.userId}`;
      // A Redis outage keeps sockets open until the next sweep; the handshake, by contrast, fails closed.
      if (!verdicts.has(key))
        verdicts.set(
          key,
          this.auth.isBlocked(data.userId, data.tenantId).catch(() => false),
        );
    }
    for (const socket of sockets) {
      if (await verdicts.get(`${socket.data.tenantId}:${socket.data.userId}`)) socket.disconnect(true);
    }
  }

  private async handshake(socket: ChatSocket): Promise<void> {
    if (this.closing) throw new Error('Server is shutting down');
    const auth = socket.handshake.auth as Record<string, unknown> | undefined;
    try {
      socket.data = await this.auth.authenticate(auth?.token);
    } catch (err) {
      if (err instanceof HandshakeError) throw err;
      this.logger.error({ err }, `socket handshake failed: ${(err as Error).message}`);
      throw new Error('Realtime is temporarily unavailable; try again', { cause: err });
    }
  }

  private onConnection(socket: ChatSocket): void {
    const { tenantId, userId, role, expiresAt } = socket.data;
    void socket.join([
      rooms.tenant(tenantId),
      rooms.user(tenantId, userId),
      ...(role === 'ADMIN' ? [rooms.admins(tenantId)] : []),
    ]);

    // A socket outlives nothing its token would not: the client reconnects with a fresh token.
    const expiry = setTimeout(() => socket.disconnect(true), Math.max(0, expiresAt - Date.now()));
    expiry.unref();

    const counted = this.track(this.cameOnline(tenantId, userId));
    socket.on('join_conversation', (payload, ack) => void this.track(this.join(socket, payload, ack)));
    socket.on('leave_conversation', (payload, ack) => void this.track(this.leave(socket, payload, ack)));
    socket.on('typing', (payload) => this.typing(socket, payload));
    socket.on('disconnect', () => {
      clearTimeout(expiry);
      void this.track(counted.then((ok) => (ok ? this.wentOffline(tenantId, userId) : undefined)));
    });
  }

  /** Resolves true when the socket was counted, so its disconnect is counted only then. */
  private async cameOnline(tenantId: string, userId: string): Promise<boolean> {
    try {
      if (await this.presence.socketOpened(tenantId, userId))
        this.chat?.to(rooms.tenant(tenantId)).emit('presence', { userId, status: 'online' });
      return true;
    } catch (err) {
      this.logger.warn(`presence not recorded for user ${userId}: ${(err as Error).message}`);
      return false;
    }
  }

  private async wentOffline(tenantId: string, userId: string): Promise<void> {
    if (await this.presence.socketClosed(tenantId, userId))
      this.chat?.to(rooms.tenant(tenantId)).emit('presence', { userId, status: 'offline' });
  }

  private async join(socket: ChatSocket, payload: unknown, ack: unknown): Promise<void> {
    const parsed = ZConversationRef.safeParse(payload);
    if (!parsed.success) return reply(ack, { ok: false, error: 'conversationId must be a UUID' });
    const { tenantId } = socket.data;
    const { conversationId } = parsed.data;
    let visible: boolean;
    try {
      visible = await this.database.tenantTransaction(tenantId, (tx) =>
        this.repository.conversationExists(tx, tenantId, conversationId),
      );
    } catch (err) {
      this.logger.error({ err }, `join_conversation failed: ${(err as Error).message}`);
      return reply(ack, { ok: false, error: 'Could not join the conversation; try again' });
    }
    // Another tenant's conversation answers exactly like a missing one.
    if (!visible) return reply(ack, { ok: false, error: 'Conversation not found' });
    // Joining a socket that disconnected meanwhile would leave it in the adapter's room map.
    if (!socket.connected) return;
    await socket.join(rooms.conversation(tenantId, conversationId));
    reply(ack, { ok: true });
  }

  private async leave(socket: ChatSocket, payload: unknown, ack: unknown): Promise<void> {
    const parsed = ZConversationRef.safeParse(payload);
    if (!parsed.success) return reply(ack, { ok: false, error: 'conversationId must be a UUID' });
    await socket.leave(rooms.conversation(socket.data.tenantId, parsed.data.conversationId));
    reply(ack, { ok: true });
  }

  private typing(socket: ChatSocket, payload: unknown): void {
    const parsed = ZTyping.safeParse(payload);
    if (!parsed.success) return;
    const { tenantId, userId } = socket.data;
    const room = rooms.conversation(tenantId, parsed.data.conversationId);
    // Only a socket that passed the tenant check for this conversation may speak in its room.
    if (!socket.rooms.has(room)) return;
    socket.to(room).emit('typing', { ...parsed.data, userId });
  }

  private track<T>(work: Promise<T>): Promise<T | undefined> {
    const tracked = work.catch((err: Error) => {
      this.logger.warn(`realtime task failed: ${err.message}`);
      return undefined;
    });
    this.pending.add(tracked);
    void tracked.finally(() => this.pending.delete(tracked));
    return tracked;
  }
}

function reply(ack: unknown, result: Ack): void {
  if (typeof ack === 'function') (ack as (result: Ack) => void)(result);
}
