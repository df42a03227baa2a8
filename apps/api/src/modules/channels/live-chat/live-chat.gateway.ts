import {
  HttpException,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import type { Namespace, Socket } from 'socket.io';
import { z } from 'zod';
import { TtlCache } from '../../../common/cache/ttl-cache.js';
import { requestContext } from '../../../common/tenancy/request-context.js';
import { Database } from '../../../db/database.js';
import { rooms, type SocketIdentity } from '../../realtime/realtime.events.js';
import { RealtimeGateway, type ChatNamespace } from '../../realtime/realtime.gateway.js';
import { ChannelPipelineService } from '../channel-pipeline.service.js';
import {
  visitorRoom,
  inboxVisitorsRoom,
  WIDGET_NAMESPACE,
  type VisitorSocketData,
  type VisitorTypingEvent,
  type WidgetClientEvents,
  type WidgetServerEvents,
} from './live-chat.events.js';
import { LiveChatPresence, PRESENCE_REFRESH_MS, type VisitorKey } from './live-chat.presence.js';
import { LiveChatRepository } from './live-chat.repository.js';
import { LiveChatVisitorAuth } from './live-chat-visitor-auth.service.js';

type WidgetNamespace = Namespace<
  WidgetClientEvents,
  WidgetServerEvents,
  Record<string, never>,
  VisitorSocketData
>;
type WidgetSocket = Socket<WidgetClientEvents, WidgetServerEvents, Record<string, never>, VisitorSocketData>;

const ZVisitorTyping = z.object({ isTyping: z.boolean() });
const ZRead = z.object({ messageIds: z.array(z.uuid()).min(1).max(50) });
const ZAgentTyping = z.object({ conversationId: z.uuid(), isTyping: z.boolean() });

/** A visitor's conversation is looked up again after this long (a new one may have started). */
const CONVERSATION_CACHE_MS = 10_000;
/** setTimeout's ceiling (about 24.8 days); a longer delay would fire at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;
/** A visitor still typing says so again at most this often. */
const TYPING_REPEAT_MS = 2_000;

/**
 * The visitors' namespace, /widget, on the agents' Socket.IO server (same path, same Redis adapter, so a room
 * reaches sockets on every API process). The handshake's visitor token decides the one room a socket is in; there
 * is no way to join another. Relays typing both ways: a visitor's to the conversation room of /chat, and the
 * agents' (their `typing` on /chat, after the same room check the chat gateway makes) to the visitor's room.
 */
/** A `read` for a reply still being sent is tried again after these pauses (see markRead). */
const READ_RETRY_MS: readonly number[] = Array.from({ length: 10 }, () => 300);

@Injectable()
export class LiveChatGateway implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('LiveChatGateway');
  private widget?: WidgetNamespace;
  private chat?: Namespace;
  private timer?: NodeJS.Timeout;
  private readonly conversationVisitors = new TtlCache<string, VisitorKey[]>(30_000);

  constructor(
    private readonly moduleRef: ModuleRef,
    private readonly auth: LiveChatVisitorAuth,
    private readonly presence: LiveChatPresence,
    private readonly database: Database,
    private readonly repo: LiveChatRepository,
    private readonly pipeline: ChannelPipelineService,
  ) {}

  /** Runs after the realtime module's bootstrap (this module imports it), which creates the Socket.IO server. */
  onApplicationBootstrap(): void {
    // The chat gateway is the realtime module's own; it is looked up rather than exported, and only read here.
    const chat: ChatNamespace | undefined = this.moduleRef.get(RealtimeGateway, { strict: false }).namespace;
    if (!chat) throw new Error('the /chat namespace must exist before the /widget namespace');
    const widget = chat.server.of(WIDGET_NAMESPACE) as unknown as WidgetNamespace;
    widget.use((socket, next) => {
      this.handshake(socket).then(
        () => next(),
        (err: Error) => next(err),
      );
    });
    widget.on('connection', (socket) => this.onConnection(socket));
    chat.on('connection', (socket) => {
      socket.on('typing', (payload) => void this.agentTyping(socket.data, socket.rooms, payload));
    });
    this.widget = widget;
    // Visitors' typing carries contactId where agents' carries userId: emitted outside the chat's typed events.
    this.chat = chat;
    this.timer = setInterval(() => void this.refreshPresence(), PRESENCE_REFRESH_MS);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  /**
   * Closes every visitor socket of the inbox, on every API process (the Redis adapter relays the request): the inbox
   * was disabled or deleted. Reconnecting is refused at the handshake (the inbox no longer accepts visitors).
   */
  disconnectInbox(tenantId: string, inboxId: string): void {
    this.widget?.in(inboxVisitorsRoom(tenantId, inboxId)).disconnectSockets(true);
  }

  private async handshake(socket: WidgetSocket): Promise<void> {
    const auth = socket.handshake.auth as Record<string, unknown> | undefined;
    const origin = socket.handshake.headers.origin;
    try {
      const { channel, claims } = await this.auth.authenticate(
        { token: typeof auth?.token === 'string' ? auth.token : undefined, origin },
        socket.handshake.address,
      );
      socket.data = {
        tenantId: channel.tenantId,
        inboxId: channel.id,
        visitorId: claims.visitorId,
        expiresAt: claims.expiresAt,
      };
    } catch (err) {
      // Refusals reach the widget as the connect_error message; anything else is ours to log.
      if (err instanceof HttpException) throw new Error(err.message, { cause: err });
      this.logger.error({ err }, `widget handshake failed: ${(err as Error).message}`);
      throw new Error('The chat is temporarily unavailable; try again', { cause: err });
    }
  }

  private onConnection(socket: WidgetSocket): void {
    const visitor: VisitorKey = {
      tenantId: socket.data.tenantId,
      inboxId: socket.data.inboxId,
      visitorId: socket.data.visitorId,
    };
    void socket.join([
      visitorRoom(visitor.tenantId, visitor.inboxId, visitor.visitorId),
      inboxVisitorsRoom(visitor.tenantId, visitor.inboxId),
    ]);
    // A socket outlives nothing its token would not: the widget reconnects with a fresh session.
    const expiry = setTimeout(
      () => socket.disconnect(true),
      Math.min(MAX_TIMER_MS, Math.max(0, socket.data.expiresAt - Date.now())),
    );
    expiry.unref();
    this.presence
      .connected(visitor, socket.id)
      .catch((err: Error) => this.logger.warn(`visitor presence not recorded: ${err.message}`));

    let conversation: { id: string; contactId: string; at: number } | undefined;
    const conversationOf = async () => {
      if (!conversation || Date.now() - conversation.at > CONVERSATION_CACHE_MS) {
        const found = await this.database.tenantTransaction(visitor.tenantId, async (tx) => {
          const contactId = await this.repo.contactIdOf(tx, visitor.visitorId);
          const latest = contactId && (await this.repo.latestConversation(tx, visitor.inboxId, contactId));
          return contactId && latest ? { id: latest.id, contactId } : undefined;
        });
        conversation = found ? { ...found, at: Date.now() } : undefined;
      }
      return conversation;
    };

    let lastTyping = { isTyping: false, at: 0 };
    socket.on('typing', (payload) => {
      const parsed = ZVisitorTyping.safeParse(payload);
      if (!parsed.success) return;
      const { isTyping } = parsed.data;
      if (isTyping === lastTyping.isTyping && Date.now() - lastTyping.at < TYPING_REPEAT_MS) return;
      lastTyping = { isTyping, at: Date.now() };
      void conversationOf()
        .then((c) => {
          if (!c) return;
          const event: VisitorTypingEvent = { conversationId: c.id, contactId: c.contactId, isTyping };
          this.chat?.to(rooms.conversation(visitor.tenantId, c.id)).emit('typing', event);
        })
        .catch((err: Error) => this.logger.warn(`visitor typing dropped: ${err.message}`));
    });

    socket.on('read', (payload) => {
      const parsed = ZRead.safeParse(payload);
      if (!parsed.success) return;
      void this.markRead(visitor, parsed.data.messageIds).catch((err: Error) =>
        this.logger.warn(`visitor read receipt dropped: ${err.message}`),
      );
    });

    socket.on('disconnect', () => {
      clearTimeout(expiry);
      this.presence
        .disconnected(visitor, socket.id)
        .catch((err: Error) => this.logger.warn(`visitor presence not cleared: ${err.message}`));
    });
  }

  /**
   * Only agents' messages to this very visitor are marked; other ids are ignored. A message's own id is its provider
   * id, stored when the worker records the send; the worker hands the reply to the widget before that, so a `read`
   * can overtake it and is tried again as a provider's early status is (READ_RETRY_MS).
   */
  private async markRead(visitor: VisitorKey, ids: string[]): Promise<void> {
    const own = await this.database.tenantTransaction(visitor.tenantId, async (tx) => {
      const contactId = await this.repo.contactIdOf(tx, visitor.visitorId);
      return contactId ? this.repo.ownOutbound(tx, visitor.inboxId, contactId, ids) : [];
    });
    await requestContext.run({ tenantId: visitor.tenantId }, () =>
      Promise.all(
        own.map((m) =>
          this.pipeline.updateStatusOnceKnown(visitor.inboxId, m.id, { status: 'read' }, READ_RETRY_MS),
        ),
      ),
    );
  }

  private async agentTyping(agent: SocketIdentity, joined: Set<string>, payload: unknown): Promise<void> {
    const parsed = ZAgentTyping.safeParse(payload);
    if (!parsed.success || !this.widget) return;
    const { conversationId, isTyping } = parsed.data;
    // The chat gateway's own rule: only a socket admitted to the conversation's room speaks in it.
    if (!joined.has(rooms.conversation(agent.tenantId, conversationId))) return;
    const key = `${agent.tenantId}:${conversationId}`;
    const visitors = await this.conversationVisitors
      .getOrLoad(key, () =>
        this.database.tenantTransaction(agent.tenantId, async (tx) => {
          const found = await this.repo.visitorsOfConversation(tx, conversationId);
          return (found?.visitorIds ?? []).map((visitorId) => ({
            tenantId: agent.tenantId,
            inboxId: found!.inboxId,
            visitorId,
          }));
        }),
      )
      .catch((err: Error) => {
        this.logger.warn(`agent typing not relayed: ${err.message}`);
        return [];
      });
    if (!visitors.length) return;
    this.widget
      .to(visitors.map((v) => visitorRoom(v.tenantId, v.inboxId, v.visitorId)))
      .emit('typing', { isTyping });
  }

  /** Keeps this process's visitor sockets counted as online (see LiveChatPresence). */
  private async refreshPresence(): Promise<void> {
    if (!this.widget) return;
    const entries = [...this.widget.sockets.values()].map((s) => ({
      socketId: s.id,
      visitor: { tenantId: s.data.tenantId, inboxId: s.data.inboxId, visitorId: s.data.visitorId },
    }));
    await this.presence
      .refresh(entries)
      .catch((err: Error) => this.logger.warn(`visitor presence not refreshed: ${err.message}`));
  }
}
