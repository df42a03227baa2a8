import { io, type Socket } from 'socket.io-client';
import { getAccessToken, refreshSession } from '../api/session';
import type { ClientEvents, ServerEvents } from './events';

export type ChatSocket = Socket<ServerEvents, ClientEvents>;

let socket: ChatSocket | null = null;
const joined = new Set<string>();
const reconnectListeners = new Set<() => void>();
let retryTimer: ReturnType<typeof setTimeout> | undefined;
let failures = 0;

/**
 * The one /chat socket of the tab. The token is read at every (re)connection, so a reconnect always presents
 * the latest access token. The server closes the socket when its token expires; we then reconnect with the
 * fresh one (refreshing first when needed), rejoin the open conversation, and tell listeners to refetch what
 * may have been missed.
 */
export function openSocket(): ChatSocket {
  if (socket) return socket;
  const s: ChatSocket = io('/chat', {
    path: '/socket.io',
    transports: ['websocket'],
    auth: (cb) => cb({ token: getAccessToken() ?? '' }),
  });
  let connectedBefore = false;
  s.on('connect', () => {
    failures = 0;
    for (const conversationId of joined) s.emit('join_conversation', { conversationId }, () => undefined);
    if (connectedBefore) for (const listener of reconnectListeners) listener();
    connectedBefore = true;
  });
  // Disconnects by the server (token expired, user blocked) are not retried by socket.io itself.
  s.on('disconnect', (reason) => {
    if (reason === 'io server disconnect') scheduleReconnect(s);
  });
  s.on('connect_error', () => {
    if (!s.active) scheduleReconnect(s);
  });
  socket = s;
  return s;
}

function scheduleReconnect(s: ChatSocket): void {
  clearTimeout(retryTimer);
  const delay = Math.min(30_000, 500 * 2 ** failures++);
  retryTimer = setTimeout(() => {
    void refreshSession().then((token) => {
      if (token && socket === s) s.connect();
    });
  }, delay);
}

export function closeSocket(): void {
  clearTimeout(retryTimer);
  joined.clear();
  socket?.disconnect();
  socket = null;
}

export const currentSocket = (): ChatSocket | null => socket;

/** Follows one conversation's room (typing); kept across reconnects. */
export function joinConversation(conversationId: string): () => void {
  joined.add(conversationId);
  socket?.emit('join_conversation', { conversationId }, () => undefined);
  return () => {
    joined.delete(conversationId);
    socket?.emit('leave_conversation', { conversationId });
  };
}

export function onReconnect(listener: () => void): () => void {
  reconnectListeners.add(listener);
  return () => reconnectListeners.delete(listener);
}
