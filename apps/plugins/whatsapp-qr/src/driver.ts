import type { Readable } from 'node:stream';
import makeWASocket, {
  Browsers,
  downloadMediaMessage,
  makeCacheableSignalKeyStore,
  type AnyMessageContent,
  type AuthenticationState,
  type BaileysEventMap,
  type proto,
  type WAMessage,
  type WAMessageKey,
} from '@whiskeysockets/baileys';
import type { ILogger } from './logger.js';

/** The part of Baileys' WASocket the manager uses; tests implement exactly this. */
export interface WhatsAppSocket {
  ev: { on<T extends keyof BaileysEventMap>(event: T, listener: (arg: BaileysEventMap[T]) => void): void };
  /** The linked account (`14155550100:12@s.whatsapp.net`) once the connection is open. */
  user?: { id: string; name?: string };
  sendMessage(jid: string, content: AnyMessageContent): Promise<WAMessage | undefined>;
  /** Unlinks the device at WhatsApp, then closes the connection. */
  logout(msg?: string): Promise<void>;
  /** Closes the connection; the device stays linked. */
  end(error: Error | undefined): Promise<void> | void;
  /** Asks the phone to upload a media file again when WhatsApp's copy has expired. */
  updateMediaMessage(message: WAMessage): Promise<WAMessage>;
}

export interface ConnectOptions {
  channelId: string;
  auth: AuthenticationState;
  logger: ILogger;
  /** A message this device sent, which WhatsApp asks for again when a recipient could not decrypt it. */
  getMessage: (key: WAMessageKey) => Promise<proto.IMessage | undefined>;
}

/** How connections are opened and media fetched: Baileys in production, a fake in tests. */
export interface WhatsAppDriver {
  connect(options: ConnectOptions): WhatsAppSocket;
  downloadMedia(message: WAMessage, socket: WhatsAppSocket, logger: ILogger): Promise<Readable>;
}

export interface BaileysDriverOptions {
  /** WhatsApp's WebSocket endpoint; overridden only to test against an address that refuses connections. */
  waWebSocketUrl?: string;
  connectTimeoutMs?: number;
}

/** The real thing: makeWASocket and downloadMediaMessage. */
export function baileysDriver(options: BaileysDriverOptions = {}): WhatsAppDriver {
  return {
    connect: ({ auth, logger, getMessage }) =>
      makeWASocket({
        auth: { creds: auth.creds, keys: makeCacheableSignalKeyStore(auth.keys, logger) },
        logger,
        getMessage,
        browser: Browsers.ubuntu('Chrome'),
        // The phone keeps its notifications: agents answer from the inbox, the owner may still use the phone.
        markOnlineOnConnect: false,
        // The inbox starts from the link; old chats are not imported.
        syncFullHistory: false,
        shouldSyncHistoryMessage: () => false,
        // Our own sends come back from the outbound queue with their ids; echoing them would store them twice.
        emitOwnEvents: false,
        ...(options.waWebSocketUrl ? { waWebSocketUrl: options.waWebSocketUrl } : {}),
        ...(options.connectTimeoutMs ? { connectTimeoutMs: options.connectTimeoutMs } : {}),
      }),
    downloadMedia: (message, socket, logger) =>
      downloadMediaMessage(
        message,
        'stream',
        {},
        { logger, reuploadRequest: (m) => socket.updateMediaMessage(m) },
      ),
  };
}
