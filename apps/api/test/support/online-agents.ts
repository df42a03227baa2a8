import type { Socket as ClientSocket } from 'socket.io-client';
import { RealtimeService } from '../../src/modules/realtime/realtime.service.js';
import { connectAgent, listen } from './sockets.js';
import type { TestContext } from './test-app.js';

/**
 * Puts agents online the real way: a Socket.IO client per agent against the app listening on port 0. Presence
 * is whatever the gateway records for the socket; `connect` resolves once it shows the agent online.
 */
export async function onlineAgents(ctx: TestContext) {
  const base = await listen(ctx.app);
  const open = new Set<ClientSocket>();
  const realtime = ctx.app.get(RealtimeService);

  return {
    async connect(token: string, tenantId: string, userId: string): Promise<ClientSocket> {
      const socket = await connectAgent(base, token);
      open.add(socket);
      await until(() => realtime.isOnline(tenantId, userId));
      return socket;
    },
    /** Resolves once presence shows the user offline (this was their last socket). */
    async disconnect(socket: ClientSocket, tenantId: string, userId: string): Promise<void> {
      socket.disconnect();
      open.delete(socket);
      await until(async () => !(await realtime.isOnline(tenantId, userId)));
    },
    async closeAll(): Promise<void> {
      for (const socket of open) socket.disconnect();
      open.clear();
      // Let the server count those disconnects before the next test looks at presence.
      await new Promise((r) => setTimeout(r, 100));
    },
  };
}

/** Every `event` payload the socket receives from now on (the array fills as they arrive). */
export function record<T = any>(socket: ClientSocket, event: string): T[] {
  const seen: T[] = [];
  socket.on(event, (payload: T) => seen.push(payload));
  return seen;
}

async function until(check: () => Promise<boolean>, timeoutMs = 3_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
