import type { TConversation, TMessage, TNotification } from '@orbitdesk/shared';

/** The /chat namespace's server events, as docs/inbox.md "Realtime" describes them. */
export interface ServerEvents {
  new_message: (event: { message: TMessage; conversation: TConversation }) => void;
  message_status: (event: { message: TMessage }) => void;
  /** A stored message changed otherwise (its AI understanding arrived). */
  message_updated: (event: { message: TMessage }) => void;
  conversation_updated: (event: { conversation: TConversation; created: boolean; changes: string[] }) => void;
  notification: (event: TNotification) => void;
  presence: (event: { userId: string; status: 'online' | 'offline' }) => void;
  typing: (event: { conversationId: string; userId: string; isTyping: boolean }) => void;
}

export interface ClientEvents {
  join_conversation: (payload: { conversationId: string }, ack: (result: { ok: boolean }) => void) => void;
  leave_conversation: (payload: { conversationId: string }) => void;
  typing: (payload: { conversationId: string; isTyping: boolean }) => void;
}
