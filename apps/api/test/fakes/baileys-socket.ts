import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { Readable } from 'node:stream';
import {
  DisconnectReason,
  proto,
  type AnyMessageContent,
  type BaileysEventMap,
  type ConnectOptions,
  type WAMessage,
  type WhatsAppDriver,
  type WhatsAppSocket,
} from '@orbitdesk/plugin-whatsapp-qr';

/**
 * A Boom, as Baileys closes connections and fails sends with: an Error with `isBoom` and an `output` carrying the
 * HTTP-like status code (a DisconnectReason) and payload.
 */
export function boom(statusCode: number, message: string): Error {
  return Object.assign(new Error(message), {
    isBoom: true,
    data: undefined,
    output: {
      statusCode,
      payload: { statusCode, error: message, message },
      headers: {},
    },
  });
}

/** Baileys' outgoing message ids: 3EB0 and 18 uppercase hex digits. */
const messageId = () => `3EB0${randomBytes(9).toString('hex').toUpperCase()}`;

/**
 * One linked-device connection as Baileys' WASocket presents it: the events it emits (connection.update with
 * qr / open / close and a Boom, creds.update, messages.upsert, messages.update, message-receipt.update) in the
 * order Baileys emits them, and sendMessage answering a WAMessage built with the real protobuf classes.
 */
export class FakeBaileysSocket implements WhatsAppSocket {
  private readonly emitter = new EventEmitter();
  readonly ev = {
    on: <T extends keyof BaileysEventMap>(event: T, listener: (arg: BaileysEventMap[T]) => void) => {
      this.emitter.on(event, listener);
    },
  };
  user?: { id: string; name?: string };
  open = false;
  ended = false;
  loggedOut = false;
  /** Every sendMessage call, in order. */
  readonly sent: { jid: string; content: AnyMessageContent; id: string }[] = [];
  /** The next sendMessage rejects with this (Baileys throws Booms and plain Errors). */
  failNextSend?: Error;

  constructor(
    readonly phone: FakeWhatsApp,
    readonly options: ConnectOptions,
  ) {}

  emit<T extends keyof BaileysEventMap>(event: T, arg: BaileysEventMap[T]): void {
    this.emitter.emit(event, arg);
  }

  sendMessage(jid: string, content: AnyMessageContent): Promise<WAMessage | undefined> {
    if (!this.open || this.ended)
      return Promise.reject(boom(DisconnectReason.connectionClosed, 'Connection Closed'));
    if (this.failNextSend) {
      const error = this.failNextSend;
      this.failNextSend = undefined;
      return Promise.reject(error);
    }
    if (!/^(\d{5,20}@s\.whatsapp\.net|\d+@lid)$/.test(jid)) {
      return Promise.reject(boom(400, `invalid jid ${jid}`));
    }
    const id = messageId();
    this.sent.push({ jid, content, id });
    const message: proto.IMessage =
      'text' in content
        ? { extendedTextMessage: { text: content.text } }
        : { imageMessage: { mimetype: 'image/jpeg' } };
    return Promise.resolve(
      proto.WebMessageInfo.fromObject({
        key: { remoteJid: jid, fromMe: true, id },
        message,
        messageTimestamp: Math.floor(Date.now() / 1000),
        status: proto.WebMessageInfo.Status.PENDING,
      }) as WAMessage,
    );
  }

  /** Baileys: tells WhatsApp to remove the companion device, then ends the connection with loggedOut. */
  logout(): Promise<void> {
    if (!this.open) return Promise.reject(boom(DisconnectReason.connectionClosed, 'Connection Closed'));
    this.loggedOut = true;
    this.close(DisconnectReason.loggedOut, 'Intentional Logout');
    return Promise.resolve();
  }

  end(): void {
    if (this.ended) return;
    this.close(DisconnectReason.connectionClosed, 'Connection Closed');
  }

  updateMediaMessage(message: WAMessage): Promise<WAMessage> {
    return Promise.resolve(message);
  }

  /** The connection ends as Baileys ends it: connection.update close with the Boom as lastDisconnect. */
  close(statusCode: number, message: string): void {
    this.open = false;
    this.ended = true;
    this.emit('connection.update', {
      connection: 'close',
      lastDisconnect: { error: boom(statusCode, message), date: new Date() },
    });
  }

  upsert(messages: WAMessage[], type: 'notify' | 'append' = 'notify'): void {
    this.emit('messages.upsert', { messages, type });
  }
}

/**
 * WhatsApp's servers and the phone, for the connection manager: a device with no account in its creds gets QR
 * codes; scanning one (`scan`) stores the account, writes Signal keys, and asks for a restart, as after a real
 * pair-success; a device with an account opens at once. Media downloads answer the bytes given to `media`.
 * Plugged in as the manager's driver (connect + downloadMedia).
 */
export class FakeWhatsApp implements WhatsAppDriver {
  readonly sockets: FakeBaileysSocket[] = [];
  /** Every QR code shown, by inbox. */
  readonly qrCodes: { channelId: string; qr: string }[] = [];
  /** Media bytes by message id, what downloadMediaMessage would decrypt. */
  readonly media = new Map<string, Buffer>();

  connect(options: ConnectOptions): FakeBaileysSocket {
    const socket = new FakeBaileysSocket(this, options);
    this.sockets.push(socket);
    // Baileys emits after the caller attached its listeners.
    setImmediate(() => {
      if (socket.ended) return;
      socket.emit('connection.update', { connection: 'connecting' });
      const me = options.auth.creds.me;
      if (me) {
        socket.open = true;
        socket.user = { id: me.id, ...(me.name ? { name: me.name } : {}) };
        socket.emit('connection.update', { connection: 'open', receivedPendingNotifications: true });
      } else {
        const qr = `2@${randomBytes(24).toString('base64')},${randomBytes(16).toString('base64')},${options.channelId}`;
        this.qrCodes.push({ channelId: options.channelId, qr });
        socket.emit('connection.update', { qr });
      }
    });
    return socket;
  }

  downloadMedia(message: WAMessage): Promise<Readable> {
    const content = message.message;
    const media =
      content?.imageMessage ?? content?.videoMessage ?? content?.audioMessage ?? content?.documentMessage;
    if (!media?.mediaKey || !media.url) return Promise.reject(new Error('not a media message'));
    const bytes = this.media.get(message.key.id ?? '');
    if (!bytes) return Promise.reject(boom(404, 'media not found on the WhatsApp CDN'));
    return Promise.resolve(Readable.from([bytes]));
  }

  /** The latest connection of an inbox. */
  socketOf(channelId: string): FakeBaileysSocket | undefined {
    return this.sockets.filter((s) => s.options.channelId === channelId).at(-1);
  }

  socketsOf(channelId: string): FakeBaileysSocket[] {
    return this.sockets.filter((s) => s.options.channelId === channelId);
  }

  /**
   * The phone scans the inbox's current QR code: Baileys stores the account in creds (creds.update), uploads
   * pre-keys (keys.set), then closes with restartRequired so the client reconnects with its new identity.
   */
  async scan(channelId: string, phoneDigits: string, name = 'Acme Support'): Promise<void> {
    const socket = this.socketOf(channelId);
    if (!socket || socket.ended) throw new Error(`no connection of inbox ${channelId} to scan`);
    const { creds, keys } = socket.options.auth;
    creds.me = { id: `${phoneDigits}:4@s.whatsapp.net`, name };
    creds.platform = 'android';
    socket.emit('creds.update', { me: creds.me, platform: creds.platform });
    await keys.set({
      'pre-key': Object.fromEntries(
        [1, 2, 3].map((n) => [String(n), { public: randomBytes(32), private: randomBytes(32) }]),
      ),
    });
    socket.close(DisconnectReason.restartRequired, 'Stream Errored (restart required)');
  }
}

/** A text message as Baileys hands it over in messages.upsert. */
export function textMessage(opts: {
  from: string;
  id: string;
  text: string;
  pushName?: string;
  fromMe?: boolean;
}): WAMessage {
  return proto.WebMessageInfo.fromObject({
    key: { remoteJid: `${opts.from}@s.whatsapp.net`, fromMe: opts.fromMe ?? false, id: opts.id },
    messageTimestamp: Math.floor(Date.now() / 1000),
    pushName: opts.pushName ?? null,
    message: { conversation: opts.text },
  }) as WAMessage;
}

/** An image message as Baileys hands it over: the encrypted file's CDN location and keys, and the caption. */
export function imageMessage(opts: {
  from: string;
  id: string;
  caption?: string;
  pushName?: string;
}): WAMessage {
  return proto.WebMessageInfo.fromObject({
    key: { remoteJid: `${opts.from}@s.whatsapp.net`, fromMe: false, id: opts.id },
    messageTimestamp: Math.floor(Date.now() / 1000),
    pushName: opts.pushName ?? null,
    message: {
      imageMessage: {
        url: 'https://mmg.whatsapp.net/v/t62.7118-24/12345_67890.enc?ccb=11-4',
        mimetype: 'image/jpeg',
        caption: opts.caption ?? null,
        fileSha256: randomBytes(32),
        fileLength: 1234,
        height: 640,
        width: 480,
        mediaKey: randomBytes(32),
        fileEncSha256: randomBytes(32),
        directPath: '/v/t62.7118-24/12345_67890.enc?ccb=11-4',
        mediaKeyTimestamp: Math.floor(Date.now() / 1000),
      },
    },
  }) as WAMessage;
}
