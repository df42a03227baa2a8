import { randomUUID } from 'node:crypto';
import type { Socket as ClientSocket } from 'socket.io-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PresenceService } from '../../src/modules/realtime/presence.service.js';
import { RealtimeRedis } from '../../src/modules/realtime/realtime-redis.js';
import { RealtimeService } from '../../src/modules/realtime/realtime.service.js';
import { login, makeTenantWithUser, makeUser } from '../support/factories.js';
import { connectAgent, listen } from '../support/sockets.js';
import { startTestApp, type TestContext } from '../support/test-app.js';

describe('presence survives a crashed API process', () => {
  let ctx: TestContext;
  let base: string;
  let tenantId: string;
  let watcherToken: string;
  let realtime: RealtimeService;
  const open: ClientSocket[] = [];
  const others: PresenceService[] = [];

  const agent = async () => {
    const user = await makeUser(ctx.database, tenantId, { role: 'AGENT' });
    return { id: user.id, token: (await login(ctx.app, user.email)).token };
  };
  const connect = async (token: string) => {
    const socket = await connectAgent(base, token);
    open.push(socket);
    return socket;
  };
  /** Counts a process left behind when it died: its sockets, and no heartbeat. */
  const crashedProcess = async (userId: string) => {
    const id = randomUUID();
    await ctx.redis.hset(`presence:${tenantId}:${id}`, userId, 3);
    await ctx.redis.sadd(`presence:${tenantId}:instances`, id);
    await ctx.redis.sadd(`presence:instance:${id}:tenants`, tenantId);
    await ctx.redis.sadd('presence:instances', id);
    return id;
  };
  /** Another API process sharing Redis, reduced to its presence bookkeeping. */
  const otherProcess = async () => {
    const presence = new PresenceService(ctx.app.get(RealtimeRedis));
    others.push(presence);
    await presence.start();
    return presence;
  };
  /** What a crash does to a process: its heartbeat stops and lapses. */
  const crash = async (presence: PresenceService) => {
    presence.onModuleDestroy();
    await ctx.redis.del(`presence:instance:${presence.instanceId}`);
  };
  /** Presence events for `userId` the socket receives during `ms`. */
  const presenceDuring = async (socket: ClientSocket, userId: string, ms = 300) => {
    const seen: string[] = [];
    const record = (p: { userId: string; status: string }) => {
      if (p.userId === userId) seen.push(p.status);
    };
    socket.on('presence', record);
    await new Promise((r) => setTimeout(r, ms));
    socket.off('presence', record);
    return seen;
  };
  const presenceOf = (socket: ClientSocket, userId: string) =>
    new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no presence event')), 3_000);
      const handler = (p: { userId: string; status: string }) => {
        if (p.userId !== userId) return;
        clearTimeout(timer);
        socket.off('presence', handler);
        resolve(p.status);
      };
      socket.on('presence', handler);
    });

  beforeAll(async () => {
    ctx = await startTestApp();
    base = await listen(ctx.app);
    const admin = await makeTenantWithUser(ctx.app, ctx.database, 'AGENT');
    tenantId = admin.tenant.id;
    watcherToken = admin.token;
    realtime = ctx.app.get(RealtimeService);
  });
  afterEach(async () => {
    for (const socket of open.splice(0)) socket.disconnect();
    for (const presence of others.splice(0)) await presence.stop();
    await new Promise((r) => setTimeout(r, 100));
  });
  afterAll(() => ctx?.close());

  it("a crashed process's counts make no one online; a live process's do; cleanup removes the dead", async () => {
    const user = await agent();
    const dead = await crashedProcess(user.id);
    expect(await realtime.isOnline(tenantId, user.id)).toBe(false);
    expect(await realtime.onlineUsers(tenantId)).toEqual([]);

    // The same counts under a live heartbeat count.
    await ctx.redis.set(`presence:instance:${dead}`, '1', 'PX', 30_000);
    expect(await realtime.isOnline(tenantId, user.id)).toBe(true);
    expect(await realtime.onlineUsers(tenantId)).toEqual([user.id]);

    // It stops beating: ignored at once, removed by the next cleanup of a live process.
    await ctx.redis.del(`presence:instance:${dead}`);
    expect(await realtime.isOnline(tenantId, user.id)).toBe(false);
    await ctx.app.get(PresenceService).beat();
    expect(await ctx.redis.exists(`presence:${tenantId}:${dead}`, `presence:instance:${dead}:tenants`)).toBe(
      0,
    );
    expect(await ctx.redis.sismember(`presence:${tenantId}:instances`, dead)).toBe(0);
    expect(await ctx.redis.sismember('presence:instances', dead)).toBe(0);
    // The app's own entry is untouched.
    expect(await ctx.redis.exists(`presence:instance:${ctx.app.get(PresenceService).instanceId}`)).toBe(1);
  });

  it('a user counted only by a crashed process comes online with their first real socket, and goes offline', async () => {
    const watcher = await connect(watcherToken);
    const user = await agent();
    await crashedProcess(user.id);

    const online = presenceOf(watcher, user.id);
    const socket = await connect(user.token);
    expect(await online).toBe('online');
    expect(await realtime.isOnline(tenantId, user.id)).toBe(true);

    const offline = presenceOf(watcher, user.id);
    socket.disconnect();
    expect(await offline).toBe('offline');
    expect(await realtime.isOnline(tenantId, user.id)).toBe(false);
  });

  it('first and last socket are decided across live processes, and a process that crashes stops counting', async () => {
    const watcher = await connect(watcherToken);
    const user = await agent();
    const other = await otherProcess();

    // Their first socket is on the other process.
    expect(await other.socketOpened(tenantId, user.id)).toBe(true);
    const quiet = presenceDuring(watcher, user.id);
    const socket = await connect(user.token);
    // Not the first socket: no announcement.
    expect(await quiet).toEqual([]);
    expect(await realtime.isOnline(tenantId, user.id)).toBe(true);

    // The other process crashes: its socket no longer counts, so closing this one is the last.
    await crash(other);
    expect(await realtime.isOnline(tenantId, user.id)).toBe(true);
    const offline = presenceOf(watcher, user.id);
    socket.disconnect();
    expect(await offline).toBe('offline');
    expect(await realtime.isOnline(tenantId, user.id)).toBe(false);
  });

  it('a live process whose heartbeat lapsed and whose counts were cleaned up writes them back', async () => {
    const user = await agent();
    await connect(user.token);
    await expect.poll(() => realtime.isOnline(tenantId, user.id)).toBe(true);
    const presence = ctx.app.get(PresenceService);

    // A long pause: the heartbeat expires and another process cleans this one up.
    await ctx.redis.del(`presence:instance:${presence.instanceId}`);
    await (await otherProcess()).beat();
    expect(await ctx.redis.exists(`presence:${tenantId}:${presence.instanceId}`)).toBe(0);
    expect(await realtime.isOnline(tenantId, user.id)).toBe(false);

    await presence.beat();
    expect(await realtime.isOnline(tenantId, user.id)).toBe(true);
    expect(await ctx.redis.hget(`presence:${tenantId}:${presence.instanceId}`, user.id)).toBe('1');
  });
});
