import type { ChannelType, TContact, TConversation, TMessage } from '@orbitdesk/shared';
import type { ChannelRow } from './channels.repository.js';

/** Everything an adapter needs to deliver one outbound message; loaded inside the message's tenant. */
export interface SendContext {
  tenantId: string;
  channel: ChannelRow;
  conversation: TConversation;
  contact: TContact;
  message: TMessage;
}

export interface SendResult {
  /** The provider's id for the message, which its status callbacks refer to; null when it gives none. */
  providerMessageId: string | null;
}

/**
 * The outbound half of one channel type. An adapter throws ChannelSendError when the provider refuses; any
 * other error counts as transient and the job is retried.
 */
export interface IMessageChannel {
  readonly type: ChannelType;
  send(ctx: SendContext): Promise<SendResult>;
  /**
   * Optional: tell the provider an agent has read the contact's message (WhatsApp's blue ticks). Called after an
   * agent marks the conversation read, with the latest inbound message's provider id; failures are only logged.
   */
  markRead?(channel: ChannelRow, providerMessageId: string): Promise<void>;
}

/** `permanent`: retrying cannot help (rejected payload, revoked credentials, unknown recipient). */
export class ChannelSendError extends Error {
  constructor(
    readonly permanent: boolean,
    readonly reason: string,
  ) {
    super(reason);
    this.name = 'ChannelSendError';
  }
}
