import type { TLiveChatMessage } from '@orbitdesk/shared';

/** The visitors' Socket.IO namespace, on the same server and path (/socket.io) as the agents' /chat. */
export const WIDGET_NAMESPACE = '/widget';

/**
 * One room per visitor of one inbox. Only the server joins a socket to it, at the handshake, from the verified
 * visitor token: the namespace has no join event, so no visitor can enter another visitor's room.
 */
export const visitorRoom = (tenantId: string, inboxId: string, visitorId: string) =>
  `tenant:${tenantId}:inbox:${inboxId}:visitor:${visitorId}`;

/** Every visitor socket of one inbox: closed together when the inbox is disabled or deleted. */
export const inboxVisitorsRoom = (tenantId: string, inboxId: string) =>
  `tenant:${tenantId}:inbox:${inboxId}:visitors`;

export interface WidgetServerEvents {
  /** A message of the visitor's conversation: an agent's reply, or the visitor's own from another tab. */
  message: (message: TLiveChatMessage) => void;
  /** An agent is typing in the visitor's conversation (or stopped). */
  typing: (event: { isTyping: boolean }) => void;
}

/** Client payloads are untrusted: typed as unknown and parsed by the gateway. */
export interface WidgetClientEvents {
  typing: (payload: unknown) => void;
  /** The widget showed these agent messages to the visitor. */
  read: (payload: unknown) => void;
}

/** What the handshake proved about a visitor socket. */
export interface VisitorSocketData {
  tenantId: string;
  inboxId: string;
  visitorId: string;
  /** When the visitor token expires (ms since epoch); the socket is disconnected then. */
  expiresAt: number;
}

/** The typing event agents receive on /chat for a visitor: `contactId` where agents' events carry `userId`. */
export interface VisitorTypingEvent {
  conversationId: string;
  contactId: string;
  isTyping: boolean;
}
