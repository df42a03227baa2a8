import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { createServer, type Socket } from 'node:net';
import { SignJWT } from 'jose';
import type { Server } from 'socket.io';
import { io as connectClient, type Socket as ClientSocket } from 'socket.io-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { TConversation, TMessage } from '@orbitdesk/shared';
import { DomainEvents } from '../../src/common/events/domain-events.js';
import { AccessRevocationService } from '../../src/modules/auth/access-revocation.service.js';
import { RealtimeRedis } from '../../src/modules/realtime/realtime-redis.js';
import { RealtimeGateway } from '../../src/modules/realtime/realtime.gateway.js';
import { RealtimeService } from '../../src/modules/realtime/realtime.service.js';
import { rooms } from '../../src/modules/realtime/realtime.events.js';
import { login, makeTenantWithUser, makeUser, makeConversation } from '../support/factories.js';
import { http, startTestApp, testConfig, type TestContext } from '../support/test-app.js';

const QUIET_MS = 300;
const open: ClientSocket[] = [];

async function listen(ctx: TestContext): Promise<string> {
  await ctx.app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = ctx.app.getHttpServer().address() as AddressInfo;
  return `http://127.0.0.1:${port}`;
}

function client(base: string, auth: Record<string, unknown>, namespace = '/chat'): ClientSocket {
  const socket = connectClient(`${base}${namespace}`, {
    path: '/socket.io',
    transports: ['websocket'],
    auth,
    reconnection: false,
    forceNew: true,
  });
  open.push(socket);
  return socket;
}

/** Connects and resolves once the server has accepted the socket. */
function connect(base: string, token: string): Promise<ClientSocket> {
  const socket = client(base, { token });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (err) => reject(new Error(`unexpected connect_error: ${err.message}`)));
  });
}

/** Resolves with the connect_error message; fails if the server accepts the socket. */
function refusal(base: string, auth: Record<string, unknown>, namespace?: string): Promise<string> {
  const socket = client(base, auth, namespace);
  return new Promise((resolve, reject) => {
    socket.once('connect', () => reject(new Error('the server accepted the socket')));
    socket.once('connect_error', (err) => resolve(err.message));
  });
}

function next<T = any>(socket: ClientSocket, event: string, timeoutMs = 3_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "${event}" within ${timeoutMs} ms`)), timeoutMs);
    socket.once(event, (payload: T) => {
      clearTimeout(timer);
      resolve(payload);
    });
  });
}

/**
 * Everything the socket receives for `ms`: the way to assert that nothing arrives. Presence is left out unless
 * asked for, since a socket's own user coming online is announced to it too.
 */
async function received(
  socket: ClientSocket,
  ms = QUIET_MS,
  withPresence = false,
): Promise<[string, unknown][]> {
  const seen: [string, unknown][] = [];
  const record = (event: string, payload: unknown) => {
    if (withPresence || event !== 'presence') seen.push([event, payload]);
  };
  socket.onAny(record);
  await new Promise((r) => setTimeout(r, ms));
  socket.offAny(record);
  return seen;
}

/** The next presence event about `userId`. */
function presenceOf(socket: ClientSocket, userId: string, timeoutMs = 3_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.off('presence', listener);
      reject(new Error(`no presence for ${userId} within ${timeoutMs} ms`));
    }, timeoutMs);
    const listener = (event: { userId: string; status: string }) => {
      if (event.userId !== userId) return;
      clearTimeout(timer);
      socket.off('presence', listener);
      resolve(event.status);
    };
    socket.on('presence', listener);
  });
}

const emitAck = (socket: ClientSocket, event: string, payload: unknown) =>
  socket.timeout(3_000).emitWithAck(event, payload) as Promise<{ ok: boolean; error?: string }>;

const conversationOf = async (ctx: TestContext, tenantId: string): Promise<string> =>
  (await makeConversation(ctx.database, tenantId)).id;

function fakeConversation(id: string): TConversation {
  const now = new Date().toISOString();
  return {
    id,
    number: 1,
    channelId: randomUUID(),
    contactId: randomUUID(),
    status: 'open',
    snoozedUntil: null,
    assigneeId: null,
    teamId: null,
    tags: [],
    priority: 'none',
    lastMessagePreview: 'hello',
    lastMessageAt: now,
    unreadCount: 1,
    waitingSince: now,
    chatAgentId: null,
    createdAt: now,
    updatedAt: now,
  };
}

function fakeMessage(conversationId: string, overrides: Partial<TMessage> = {}): TMessage {
  const now = new Date().toISOString();
  return {
    id: randomUUID(),
    conversationId,
    channelId: randomUUID(),
    direction: 'in',
    type: 'text',
    content: { text: 'hello' },
    providerMessageId: null,
    status: 'received',
    failureReason: null,
    senderType: 'contact',
    senderId: null,
    isPrivate: false,
    understanding: null,
    createdAt: now,
    updatedAt: now,
    ...overrides,
  };
}

function signAccess(ctx: TestContext, claims: { sub: string; tid: string; exp: number }): Promise<string> {
  return new SignJWT({ role: 'AGENT', tid: claims.tid })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(claims.sub)
    .setIssuer('orbitdesk')
    .setAudience('api')
    .setIssuedAt(Math.min(claims.exp - 1, Math.floor(Date.now() / 1000)))
    .setExpirationTime(claims.exp)
    .sign(new TextEncoder().encode(ctx.config.JWT_SECRET));
}

describe('realtime (Socket.IO /chat)', () => {
  let ctx: TestContext;
  let base: string;
  let A: Awaited<ReturnType<typeof makeTenantWithUser>>;
  let B: Awaited<ReturnType<typeof makeTenantWithUser>>;
  let agentA2: { id: string; token: string };
  let agentA3: { id: string; token: string };
  let conversationOfA: string;
  let events: DomainEvents;

  const agentOf = async (tenantId: string) => {
    const user = await makeUser(ctx.database, tenantId, { role: 'AGENT' });
    return { id: user.id, token: (await login(ctx.app, user.email)).token };
  };

  beforeAll(async () => {
    ctx = await startTestApp();
    base = await listen(ctx);
    A = await makeTenantWithUser(ctx.app, ctx.database, 'AGENT');
    B = await makeTenantWithUser(ctx.app, ctx.database, 'AGENT');
    agentA2 = await agentOf(A.tenant.id);
    agentA3 = await agentOf(A.tenant.id);
    conversationOfA = await conversationOf(ctx, A.tenant.id);
    events = ctx.app.get(DomainEvents);
  });
  afterEach(async () => {
    for (const socket of open.splice(0)) socket.disconnect();
    // Let the server count those disconnects before the next test looks at presence.
    await new Promise((r) => setTimeout(r, 100));
  });
  afterAll(() => ctx?.close());

  describe('handshake', () => {
    it('refuses a socket without a token', async () => {
      expect(await refusal(base, {})).toMatch(
        /Authentication required: pass the access token as auth\.token/,
      );
    });

    it('refuses an invalid token', async () => {
      expect(await refusal(base, { token: 'not-a-jwt' })).toBe('Access token is invalid');
      const forged = await new SignJWT({ role: 'AGENT', tid: A.tenant.id })
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject(A.user.id)
        .setIssuer('orbitdesk')
        .setAudience('api')
        .setExpirationTime('5m')
        .sign(new TextEncoder().encode('some-other-secret-0123456789abcdef0123'));
      expect(await refusal(base, { token: forged })).toBe('Access token is invalid');
    });

    it('refuses an expired token', async () => {
      const token = await signAccess(ctx, {
        sub: A.user.id,
        tid: A.tenant.id,
        exp: Math.floor(Date.now() / 1000) - 60,
      });
      expect(await refusal(base, { token })).toBe('Access token expired');
    });

    it('refuses a SUPERADMIN, who has no tenant', async () => {
      const { token } = await login(ctx.app, ctx.config.SUPERADMIN_EMAIL!, ctx.config.SUPERADMIN_PASSWORD);
      expect(await refusal(base, { token })).toBe(
        'Platform administrators cannot connect to a workspace inbox',
      );
    });

    it('refuses a deactivated user and a suspended tenant', async () => {
      const revocation = ctx.app.get(AccessRevocationService);
      const blocked = await agentOf(A.tenant.id);
      await revocation.blockUser(blocked.id);
      expect(await refusal(base, { token: blocked.token })).toBe(
        'This account or its workspace is no longer active',
      );

      const other = await makeTenantWithUser(ctx.app, ctx.database, 'AGENT');
      await revocation.setTenantBlocked(other.tenant.id, true);
      expect(await refusal(base, { token: other.token })).toBe(
        'This account or its workspace is no longer active',
      );
    });

    it('refuses the default namespace', async () => {
      expect(await refusal(base, { token: A.token }, '/')).toBe('Connect to the /chat namespace');
    });

    it('accepts a tenant user', async () => {
      const socket = await connect(base, A.token);
      expect(socket.connected).toBe(true);
    });
  });

  describe('domain events', () => {
    it("message.created reaches tenant A's agents and never tenant B's", async () => {
      const a = await connect(base, A.token);
      const b = await connect(base, B.token);
      const message = fakeMessage(conversationOfA);
      const conversation = fakeConversation(conversationOfA);
      const quietB = received(b);
      const gotA = next(a, 'new_message');
      events.publish('message.created', { tenantId: A.tenant.id, message, conversation });
      expect(await gotA).toEqual({ message, conversation });
      expect(await quietB).toEqual([]);
    });

    it('a private note reaches the tenant agents', async () => {
      const a = await connect(base, A.token);
      const message = fakeMessage(conversationOfA, { isPrivate: true, direction: 'out', senderType: 'user' });
      const gotA = next(a, 'new_message');
      events.publish('message.created', {
        tenantId: A.tenant.id,
        message,
        conversation: fakeConversation(conversationOfA),
      });
      expect((await gotA).message).toEqual(message);
    });

    it('message.status and conversation.created/updated reach tenant A only', async () => {
      const a = await connect(base, A.token);
      const b = await connect(base, B.token);
      const quietB = received(b, 600);

      const message = fakeMessage(conversationOfA, { status: 'delivered', direction: 'out' });
      const status = next(a, 'message_status');
      events.publish('message.status', { tenantId: A.tenant.id, message });
      expect(await status).toEqual({ message });

      const conversation = fakeConversation(conversationOfA);
      const created = next(a, 'conversation_updated');
      events.publish('conversation.created', { tenantId: A.tenant.id, conversation });
      expect(await created).toEqual({ conversation, created: true, changes: [] });

      const updated = next(a, 'conversation_updated');
      events.publish('conversation.updated', { tenantId: A.tenant.id, conversation, changes: ['status'] });
      expect(await updated).toEqual({ conversation, created: false, changes: ['status'] });

      expect(await quietB).toEqual([]);
    });

    it('a socket in a conversation room receives its message once', async () => {
      const a = await connect(base, A.token);
      expect(await emitAck(a, 'join_conversation', { conversationId: conversationOfA })).toEqual({
        ok: true,
      });
      const seen = received(a, 400);
      events.publish('message.created', {
        tenantId: A.tenant.id,
        message: fakeMessage(conversationOfA),
        conversation: fakeConversation(conversationOfA),
      });
      expect((await seen).filter(([event]) => event === 'new_message')).toHaveLength(1);
    });

    it('sends the frames of one delivery of events to a socket in one write, in publish order', async () => {
      const a = await connect(base, A.token);
      // The server's end of this socket: Engine.IO client by session id → ws → the TCP socket.
      const gateway: unknown = ctx.app.get(RealtimeGateway);
      const engine: unknown = (gateway as { io: Server }).io.engine;
      const engineSocket = (
        engine as { clients: Record<string, { transport: { socket: { _socket: Socket } } }> }
      ).clients[a.io.engine.id]!;
      const tcp = engineSocket.transport.socket._socket;
      // Each write system call's bytes that carry new_message frames (presence may be written meanwhile).
      let writes = 0;
      const bytes = (arg: unknown): Buffer =>
        Array.isArray(arg) ? Buffer.concat(arg.map((c: { chunk: Buffer }) => c.chunk)) : (arg as Buffer);
      for (const method of ['_write', '_writev'] as const) {
        const original = tcp[method]!.bind(tcp) as (...args: unknown[]) => void;
        tcp[method] = ((...args: unknown[]) => {
          if (bytes(args[0]).includes('new_message')) writes++;
          original(...args);
        }) as never;
      }
      const texts = ['one', 'two', 'three', 'four', 'five'];
      const arrived: string[] = [];
      const all = new Promise<void>((resolve) =>
        a.on('new_message', (e: { message: TMessage }) => {
          if (arrived.push((e.message.content as { text: string }).text) === texts.length) resolve();
        }),
      );
      for (const text of texts) {
        events.publish('message.created', {
          tenantId: A.tenant.id,
          message: fakeMessage(conversationOfA, { content: { text } }),
          conversation: fakeConversation(conversationOfA),
        });
      }
      await all;
      expect(arrived).toEqual(texts);
      expect(writes).toBe(1);
    });
  });

  describe('conversation rooms', () => {
    it("tenant B cannot join tenant A's conversation, and hears nothing from it", async () => {
      const a = await connect(base, A.token);
      const b = await connect(base, B.token);
      expect(await emitAck(a, 'join_conversation', { conversationId: conversationOfA })).toEqual({
        ok: true,
      });

      const refused = await emitAck(b, 'join_conversation', { conversationId: conversationOfA });
      const missing = await emitAck(b, 'join_conversation', { conversationId: randomUUID() });
      expect(refused).toEqual({ ok: false, error: 'Conversation not found' });
      expect(missing).toEqual(refused);
      expect(await emitAck(b, 'join_conversation', { conversationId: 'nope' })).toEqual({
        ok: false,
        error: 'conversationId must be a UUID',
      });

      const quietB = received(b);
      const quietA = received(a);
      // B's typing into A's conversation goes nowhere; A's activity there never reaches B.
      b.emit('typing', { conversationId: conversationOfA, isTyping: true });
      a.emit('typing', { conversationId: conversationOfA, isTyping: true });
      events.publish('message.created', {
        tenantId: A.tenant.id,
        message: fakeMessage(conversationOfA),
        conversation: fakeConversation(conversationOfA),
      });
      expect(await quietB).toEqual([]);
      expect((await quietA).map(([event]) => event)).toEqual(['new_message']);
    });

    it('typing is relayed to the other agents in the room only', async () => {
      const a1 = await connect(base, A.token);
      const a2 = await connect(base, agentA2.token);
      const a3 = await connect(base, agentA3.token); // same tenant, not in the room
      for (const s of [a1, a2])
        expect(await emitAck(s, 'join_conversation', { conversationId: conversationOfA })).toEqual({
          ok: true,
        });

      const quietSender = received(a1);
      const quietOutsider = received(a3);
      const relayed = next(a2, 'typing');
      a1.emit('typing', { conversationId: conversationOfA, isTyping: true });
      expect(await relayed).toEqual({ conversationId: conversationOfA, userId: A.user.id, isTyping: true });
      expect(await quietSender).toEqual([]);
      expect(await quietOutsider).toEqual([]);

      // Not in the room: nothing relayed.
      const quietA2 = received(a2);
      a3.emit('typing', { conversationId: conversationOfA, isTyping: true });
      expect(await quietA2).toEqual([]);

      // After leaving, typing stops reaching the room.
      expect(await emitAck(a1, 'leave_conversation', { conversationId: conversationOfA })).toEqual({
        ok: true,
      });
      const quietAfterLeave = received(a2);
      a1.emit('typing', { conversationId: conversationOfA, isTyping: false });
      expect(await quietAfterLeave).toEqual([]);
    });
  });

  describe('presence and notifications', () => {
    it("announces a user's first socket and last disconnect to the tenant only", async () => {
      const realtime = ctx.app.get(RealtimeService);
      const watcher = await connect(base, A.token);
      const b = await connect(base, B.token);
      const quietB = received(b, 1_500, true);

      const online = presenceOf(watcher, agentA2.id);
      const first = await connect(base, agentA2.token);
      expect(await online).toBe('online');
      expect(await realtime.isOnline(A.tenant.id, agentA2.id)).toBe(true);
      expect(await realtime.isOnline(B.tenant.id, agentA2.id)).toBe(false);
      expect((await realtime.onlineUsers(A.tenant.id)).sort()).toEqual([A.user.id, agentA2.id].sort());
      expect(await realtime.onlineUsers(B.tenant.id)).toEqual([B.user.id]);

      // A second tab changes nothing; closing one of two changes nothing.
      const quietWatcher = received(watcher, QUIET_MS, true);
      const second = await connect(base, agentA2.token);
      second.disconnect();
      expect(await quietWatcher).toEqual([]);
      expect(await realtime.isOnline(A.tenant.id, agentA2.id)).toBe(true);

      const offline = presenceOf(watcher, agentA2.id);
      first.disconnect();
      expect(await offline).toBe('offline');
      expect(await realtime.isOnline(A.tenant.id, agentA2.id)).toBe(false);

      // B hears only about B.
      expect((await quietB).filter(([, p]) => (p as { userId: string }).userId !== B.user.id)).toEqual([]);
    });

    it('notifyUser reaches that user only, and only within its tenant', async () => {
      const realtime = ctx.app.get(RealtimeService);
      const target = await connect(base, agentA2.token);
      const colleague = await connect(base, A.token);
      const quietColleague = received(colleague);
      const got = next(target, 'notification');
      realtime.notifyUser(A.tenant.id, agentA2.id, { type: 'mention', conversationId: conversationOfA });
      expect(await got).toEqual({ type: 'mention', conversationId: conversationOfA });
      expect(await quietColleague).toEqual([]);

      // The wrong tenant for this user reaches nobody.
      const quietTarget = received(target);
      realtime.notifyUser(B.tenant.id, agentA2.id, { type: 'mention' });
      expect(await quietTarget).toEqual([]);
    });
  });

  describe('session lifetime', () => {
    it('disconnects a socket when its access token expires', async () => {
      const token = await signAccess(ctx, {
        sub: agentA3.id,
        tid: A.tenant.id,
        exp: Math.floor(Date.now() / 1000) + 2,
      });
      const socket = await connect(base, token);
      expect(await next(socket, 'disconnect', 4_000)).toBe('io server disconnect');
    });

    it('disconnects open sockets of a user blocked after connecting', async () => {
      const victim = await agentOf(A.tenant.id);
      const socket = await connect(base, victim.token);
      const bystander = await connect(base, A.token);
      await ctx.app.get(AccessRevocationService).blockUser(victim.id);
      const dropped = next(socket, 'disconnect');
      await ctx.app.get(RealtimeGateway).disconnectRevoked();
      expect(await dropped).toBe('io server disconnect');
      expect(bystander.connected).toBe(true);
    });
  });

  describe('across two API processes sharing Redis', () => {
    let ctx2: TestContext;
    let base2: string;
    let aloneBefore: boolean | undefined;

    beforeAll(async () => {
      // Alone until now, instance 1 published nothing to Redis; instance 2 is acknowledged before it starts.
      const peers = ctx.app.get(RealtimeRedis).peers;
      await peers.count();
      aloneBefore = !peers.othersListening;
      ctx2 = await startTestApp({ db: ctx.db, env: { REDIS_KEY_PREFIX: ctx.config.REDIS_KEY_PREFIX } });
      base2 = await listen(ctx2);
    });
    afterAll(() => ctx2?.close());

    it('an event published on instance 1 reaches tenant A on instance 2, and not tenant B', async () => {
      expect(aloneBefore).toBe(true);
      expect(ctx.app.get(RealtimeRedis).peers.othersListening).toBe(true);
      const a = await connect(base2, A.token);
      const b = await connect(base2, B.token);
      const quietB = received(b);
      const message = fakeMessage(conversationOfA);
      const got = next(a, 'new_message');
      events.publish('message.created', {
        tenantId: A.tenant.id,
        message,
        conversation: fakeConversation(conversationOfA),
      });
      expect((await got).message).toEqual(message);
      expect(await quietB).toEqual([]);
    });

    it('typing, notifications and presence cross processes', async () => {
      const a1 = await connect(base, A.token);
      const presence = presenceOf(a1, agentA2.id);
      const a2 = await connect(base2, agentA2.token);
      expect(await presence).toBe('online');
      expect(await ctx.app.get(RealtimeService).isOnline(A.tenant.id, agentA2.id)).toBe(true);

      for (const s of [a1, a2])
        expect(await emitAck(s, 'join_conversation', { conversationId: conversationOfA })).toEqual({
          ok: true,
        });
      const typing = next(a2, 'typing');
      a1.emit('typing', { conversationId: conversationOfA, isTyping: true });
      expect(await typing).toEqual({ conversationId: conversationOfA, userId: A.user.id, isTyping: true });

      const notified = next(a2, 'notification');
      ctx.app.get(RealtimeService).notifyUser(A.tenant.id, agentA2.id, { type: 'mention' });
      expect(await notified).toEqual({ type: 'mention' });
    });

    it("a demoted admin's sockets leave the admins room on every process at once, and rejoin when promoted; deactivation closes them", async () => {
      const actor = await makeUser(ctx.database, A.tenant.id, { role: 'ADMIN' });
      const actorToken = (await login(ctx.app, actor.email)).token;
      const target = await makeUser(ctx.database, A.tenant.id, { role: 'ADMIN' });
      // Connected to instance 2; the change is saved through instance 1.
      const socket = await connect(base2, (await login(ctx.app, target.email)).token);
      const gateway = ctx.app.get(RealtimeGateway);
      const adminsRoom = rooms.admins(A.tenant.id);
      const inAdminsRoom = async () =>
        (await gateway.namespace!.in(adminsRoom).fetchSockets()).some((s) => s.id === socket.id);
      const until = async (want: boolean) => {
        for (let i = 0; i < 50 && (await inAdminsRoom()) !== want; i++)
          await new Promise((r) => setTimeout(r, 50));
        expect(await inAdminsRoom()).toBe(want);
      };
      const setUser = async (body: Record<string, unknown>) => {
        const res = await http(ctx.app, 'PATCH', `/api/v1/users/${target.id}`, { token: actorToken, body });
        expect(res.status).toBe(200);
      };

      expect(await inAdminsRoom()).toBe(true);
      const first = next(socket, 'notification');
      gateway.emit([adminsRoom], 'notification', { type: 'admins-only', n: 1 });
      expect(await first).toEqual({ type: 'admins-only', n: 1 });

      await setUser({ role: 'AGENT' });
      await until(false);
      const quiet = received(socket);
      gateway.emit([adminsRoom], 'notification', { type: 'admins-only', n: 2 });
      expect(await quiet).toEqual([]);
      expect(socket.connected).toBe(true);

      await setUser({ role: 'ADMIN' });
      await until(true);
      const again = next(socket, 'notification');
      gateway.emit([adminsRoom], 'notification', { type: 'admins-only', n: 3 });
      expect(await again).toEqual({ type: 'admins-only', n: 3 });

      // Closed now, not at the next revocation sweep (every 30 s).
      const dropped = next(socket, 'disconnect');
      await setUser({ isActive: false });
      expect(await dropped).toBe('io server disconnect');
    });

    it('a process that shuts down takes its users offline', async () => {
      const ctx3 = await startTestApp({ db: ctx.db, env: { REDIS_KEY_PREFIX: ctx.config.REDIS_KEY_PREFIX } });
      const base3 = await listen(ctx3);
      const watcher = await connect(base, A.token);
      const online = presenceOf(watcher, agentA3.id);
      const leaving = await connect(base3, agentA3.token);
      expect(await online).toBe('online');

      const offline = presenceOf(watcher, agentA3.id);
      const dropped = next(leaving, 'disconnect');
      // ctx3.close() would also delete the shared prefix's keys; closing the app is the shutdown under test.
      await ctx3.app.close();
      ctx3.redis.disconnect();
      expect(await dropped).toBe('io server disconnect');
      expect(await offline).toBe('offline');
      expect(await ctx.app.get(RealtimeService).isOnline(A.tenant.id, agentA3.id)).toBe(false);
    });
  });

  it('a hung Redis neither blocks boot nor shutdown of the realtime connections', async () => {
    // Accepts TCP connections and never answers.
    const silent = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as AddressInfo;
    const redis = new RealtimeRedis(testConfig({ REDIS_URL: `redis://127.0.0.1:${port}` }));
    try {
      const started = Date.now();
      await expect(redis.subscriptionsReady(300)).rejects.toThrow(/within 300 ms/);
      await redis.onApplicationShutdown();
      expect(Date.now() - started).toBeLessThan(3_000);
    } finally {
      silent.close();
    }
  });
});
