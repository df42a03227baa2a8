import type { AuthKeyStore } from './auth-state.js';
import type { WhatsAppDriver } from './driver.js';
import type { InboundMessage } from './inbound.js';

/** One linked-device inbox, as the host knows it. */
export interface ChannelRef {
  id: string;
  tenantId: string;
}

/**
 * Where a link stands: `connecting` (opening, or reopening after a drop), `qr` (waiting for the phone to scan),
 * `open` (linked and connected), `closed` (dropped; see `willRetry`), `logged_out` (unlinked; link again).
 */
export type LinkStatus = 'connecting' | 'qr' | 'open' | 'closed' | 'logged_out';

export interface LinkStatusUpdate {
  status: LinkStatus;
  /** Why it closed or logged out, in plain words. */
  reason?: string;
  /** `+14155550100`: the linked number, once open. */
  phone?: string;
  /** The WhatsApp profile name of the linked account, once open. */
  name?: string;
  /** With `closed`: whether a reconnect is scheduled (false when the QR code expired unscanned). */
  willRetry?: boolean;
}

export interface HostLogger {
  debug(message: string): void;
  log(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/**
 * Everything the connection manager needs from the application around it. The manager knows Baileys and
 * WhatsApp; the host knows tenants, storage, the inbox pipeline and how to reach the admins.
 */
export interface WhatsAppQrHost {
  /** The inbox's auth-state storage (the API: encrypted rows in Postgres). */
  authStore(channel: ChannelRef): AuthKeyStore;
  /** Stores one message (and its media, through `message.media.download()`) in the inbox. */
  ingest(channel: ChannelRef, message: InboundMessage): Promise<void>;
  /** A delivery or read receipt for a message this inbox sent. */
  updateStatus(channel: ChannelRef, providerMessageId: string, status: 'delivered' | 'read'): Promise<void>;
  /** A new QR code to show the admins (the raw string the phone scans; it rotates about every 20 s). */
  emitQr(channel: ChannelRef, qr: string): Promise<void>;
  /** Every change of link status, to record and to show the admins. */
  emitStatus(channel: ChannelRef, update: LinkStatusUpdate): Promise<void>;
  /**
   * Records `phone` as the inbox's number once linked. False when another inbox already has that number: the
   * manager then unlinks this device rather than deliver the same chats to two inboxes.
   */
  claimNumber(channel: ChannelRef, phone: string): Promise<boolean>;
  logger: HostLogger;
  /** Defaults to Baileys (makeWASocket, downloadMediaMessage). */
  driver?: WhatsAppDriver;
}
