import type { ChannelType, TContact, TConversation, TMessage } from '@orbitdesk/shared';
import type { ChannelRow } from './channels.repository.js';

/** Everything an adapter needs to deliver one outbound message; loaded inside the message's tenant. */
export interface SendContext {
  tenantId: string;
  channel: ChannelRow;
  conversation: TConversation;
  contact: TContact;
  message: TMessage;
  /** What earlier tries of this send delivered, for a message an adapter sends in several parts. */
  progress?: SendProgress;
}

/**
 * A message a provider takes in several parts (Telegram text over 4,096 characters) is sent part by part; when a
 * later part fails and the job is tried again, the parts already delivered are skipped, not sent twice.
 */
export interface SendProgress {
  /** Parts of this message that earlier tries delivered, in order. */
  readonly partsSent: number;
  /** Records that the first `n` parts are delivered (before the next one is tried). */
  recordPartsSent(n: number): Promise<void>;
}

/** What markRead gets: the latest inbound message's provider id and the contact's address on the channel. */
export interface ReadReceipt {
  providerMessageId: string;
  contactIdentifier: string | null;
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
   * Optional: tell the provider an agent has read the contact's messages (WhatsApp's blue ticks, Messenger's
   * "seen"). Called after an agent marks the conversation read; failures are only logged.
   */
  markRead?(channel: ChannelRow, read: ReadReceipt): Promise<void>;
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
