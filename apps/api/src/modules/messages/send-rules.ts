import { SERVICE_WINDOW_HOURS, type ChannelType } from '@orbitdesk/shared';
import type { ChannelRow } from '../channels/channels.repository.js';
import type { ConversationRow } from '../conversations/conversation-dto.js';

const HOUR_MS = 3_600_000;

/** Why a message may not go to the contact now; each sender words it for its own audience. */
export type SendRefusal = { kind: 'inbox_disabled' } | { kind: 'window_closed'; hours: number };

/**
 * The rules every outgoing message to a contact follows, whoever sends it (an agent, the API, an AI agent): the
 * inbox is enabled, and on channels with a customer-service window (24 h on WhatsApp, Messenger, Instagram) the
 * contact wrote within it — unless the message is an approved template, which may open a conversation.
 */
export function sendRefusal(
  channel: Pick<ChannelRow, 'isActive' | 'type'>,
  conversation: Pick<ConversationRow, 'lastInboundAt'>,
  messageType: string,
): SendRefusal | null {
  if (!channel.isActive) return { kind: 'inbox_disabled' };
  const hours = SERVICE_WINDOW_HOURS[channel.type as ChannelType];
  if (hours === undefined || messageType === 'template') return null;
  const last = conversation.lastInboundAt?.getTime();
  if (last === undefined || Date.now() - last > hours * HOUR_MS) return { kind: 'window_closed', hours };
  return null;
}
