import type { TConversation, TenantRole, TFlowSessionEvent, TMessage } from '@orbitdesk/shared';

export const CHAT_NAMESPACE = '/chat';
export const SOCKET_PATH = '/socket.io';

/**
 * Every room name carries the tenant id taken from the verified access token, so an emit addressed by
 * (tenant, user) or (tenant, conversation) cannot reach another tenant's sockets even if a caller passes a
 * user or conversation id that belongs elsewhere.
 */
export const rooms = {
  tenant: (tenantId: string) => `tenant:${tenantId}`,
  user: (tenantId: string, userId: string) => `tenant:${tenantId}:user:${userId}`,
  /** The workspace's ADMIN sockets: what only admins may see (a WhatsApp device's linking QR code). */
  admins: (tenantId: string) => `tenant:${tenantId}:admins`,
  conversation: (tenantId: string, conversationId: string) =>
    `tenant:${tenantId}:conversation:${conversationId}`,
};

export type Ack = { ok: true } | { ok: false; error: string };

export interface NewMessageEvent {
  message: TMessage;
  conversation: TConversation;
}
export interface MessageStatusEvent {
  message: TMessage;
}
export interface ConversationUpdatedEvent {
  conversation: TConversation;
  created: boolean;
  changes: string[];
}
export interface PresenceEvent {
  userId: string;
  status: 'online' | 'offline';
}
export interface TypingEvent {
  conversationId: string;
  userId: string;
  isTyping: boolean;
}
/** Shape left open on purpose: @mentions, assignments and reminders each add their own fields. */
export interface NotificationEvent {
  type: string;
  [field: string]: unknown;
}

export interface ServerToClientEvents {
  new_message: (event: NewMessageEvent) => void;
  message_status: (event: MessageStatusEvent) => void;
  /** A stored message changed (its understanding arrived): replace it in place. */
  message_updated: (event: MessageStatusEvent) => void;
  conversation_updated: (event: ConversationUpdatedEvent) => void;
  notification: (event: NotificationEvent) => void;
  presence: (event: PresenceEvent) => void;
  typing: (event: TypingEvent) => void;
  /** A flow session ran a node, paused or ended (for the flow builder). */
  'flow:session': (event: TFlowSessionEvent) => void;
}

/** Client payloads are untrusted: typed as unknown and parsed by the gateway. */
export interface ClientToServerEvents {
  join_conversation: (payload: unknown, ack?: unknown) => void;
  leave_conversation: (payload: unknown, ack?: unknown) => void;
  typing: (payload: unknown) => void;
}

// Cross-process traffic goes through the Redis adapter's own broadcast; no custom inter-server events.
export type InterServerEvents = Record<string, never>;

export interface SocketIdentity {
  userId: string;
  tenantId: string;
  /** The role in the access token; an ADMIN's sockets also join the admins room. */
  role: TenantRole;
  /** When the access token expires (ms since epoch); the socket is disconnected then. */
  expiresAt: number;
}
