import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { io as connectClient, type Socket as ClientSocket } from 'socket.io-client';
import { http } from './test-app.js';

/** A live_chat inbox created through the admin API, with the values its details show. */
export async function makeLiveChatInbox(
  app: NestFastifyApplication,
  adminToken: string,
  config: Record<string, unknown> = {},
) {
  const res = await http(app, 'POST', '/api/v1/channels', {
    token: adminToken,
    body: {
      type: 'live_chat',
      name: 'Website chat',
      config: { websiteUrl: 'https://shop.example', preChatForm: false, ...config },
    },
  });
  if (res.status !== 201)
    throw new Error(`live chat inbox not created: ${res.status} ${JSON.stringify(res.body)}`);
  return {
    id: res.body.id as string,
    websiteToken: res.body.details.websiteToken as string,
    identitySecret: res.body.details.identitySecret as string,
    body: res.body,
  };
}

/** The texts of widget messages, in order. */
export const textsOf = (messages: { content: { text?: string } }[]) => messages.map((m) => m.content.text);

/** POST /channels/live-chat/sessions as a page on `origin` would. */
export function widgetSession(
  app: NestFastifyApplication,
  body: Record<string, unknown>,
  origin = 'https://shop.example',
) {
  return http(app, 'POST', '/api/v1/channels/live-chat/sessions', { body, headers: { origin } });
}

/** A new visitor session that must succeed; returns its body. */
export async function newVisitor(
  app: NestFastifyApplication,
  websiteToken: string,
  extra: Record<string, unknown> = {},
) {
  const res = await widgetSession(app, { websiteToken, ...extra });
  if (res.status !== 200) throw new Error(`session failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as { visitorToken: string; visitor: { id: string }; [key: string]: any };
}

/** POST /channels/live-chat/message with the visitor token in X-Widget-Token. */
export function visitorSend(
  app: NestFastifyApplication,
  visitorToken: string | undefined,
  body: Record<string, unknown>,
  origin = 'https://shop.example',
) {
  return http(app, 'POST', '/api/v1/channels/live-chat/message', {
    body,
    headers: { origin, ...(visitorToken ? { 'x-widget-token': visitorToken } : {}) },
  });
}

/** A visitor's socket on /widget (WebSocket only, as the widget connects). */
export function visitorSocket(base: string, token: string, origin = 'https://shop.example'): ClientSocket {
  return connectClient(`${base}/widget`, {
    path: '/socket.io',
    transports: ['websocket'],
    auth: { token },
    extraHeaders: { origin },
    reconnection: false,
    forceNew: true,
  });
}

/** Resolves with the connected socket, or rejects with the server's refusal. */
export function connected(socket: ClientSocket): Promise<ClientSocket> {
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (err) => reject(err));
  });
}

/** The server's refusal message of a handshake that must fail. */
export function refusal(socket: ClientSocket): Promise<string> {
  return new Promise((resolve, reject) => {
    socket.once('connect', () => reject(new Error('the handshake was accepted')));
    socket.once('connect_error', (err) => resolve(err.message));
  });
}
