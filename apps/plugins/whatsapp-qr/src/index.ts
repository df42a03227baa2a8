export { loadAuthState } from './auth-state.js';
export type { AuthKeyStore, StoredAuthState } from './auth-state.js';
export type { BackoffOptions } from './backoff.js';
export { WhatsAppQrManager, WhatsAppSendError } from './connection-manager.js';
export type { ManagerOptions } from './connection-manager.js';
export { baileysDriver } from './driver.js';
export type { BaileysDriverOptions, ConnectOptions, WhatsAppDriver, WhatsAppSocket } from './driver.js';
export type { ChannelRef, HostLogger, LinkStatus, LinkStatusUpdate, WhatsAppQrHost } from './host.js';
export type { InboundMessage, InboundType } from './inbound.js';
export { jidForIdentifier } from './jid.js';
export type { MediaSource, OutboundMessage } from './outbound.js';
// What hosts and their tests need from Baileys itself, so they do not depend on it directly.
export { DisconnectReason, proto } from '@whiskeysockets/baileys';
export type { AnyMessageContent, BaileysEventMap, WAMessage } from '@whiskeysockets/baileys';
