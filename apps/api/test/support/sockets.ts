import type { AddressInfo } from 'node:net';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { io as connectClient, type Socket as ClientSocket } from 'socket.io-client';

/** Makes the app listen on a random loopback port and returns its base URL. */
export async function listen(app: NestFastifyApplication): Promise<string> {
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.getHttpServer().address() as AddressInfo;
  return `http://127.0.0.1:${port}`;
}

/** An agent's socket on /chat, resolved once the server has accepted it. */
export function connectAgent(base: string, token: string): Promise<ClientSocket> {
  const socket = connectClient(`${base}/chat`, {
    path: '/socket.io',
    transports: ['websocket'],
    auth: { token },
    reconnection: false,
    forceNew: true,
  });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (err) => reject(new Error(`unexpected connect_error: ${err.message}`)));
  });
}

/** The next `event` on the socket, or a rejection after `timeoutMs`. */
export function nextEvent<T = unknown>(socket: ClientSocket, event: string, timeoutMs = 3_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "${event}" within ${timeoutMs} ms`)), timeoutMs);
    socket.once(event, (payload: T) => {
      clearTimeout(timer);
      resolve(payload);
    });
  });
}

/** Every event (presence aside) the socket receives during `ms`: the way to assert that nothing arrives. */
export async function eventsDuring(socket: ClientSocket, ms = 300): Promise<string[]> {
  const seen: string[] = [];
  const record = (event: string) => {
    if (event !== 'presence') seen.push(event);
  };
  socket.onAny(record);
  await new Promise((r) => setTimeout(r, ms));
  socket.offAny(record);
  return seen;
}
