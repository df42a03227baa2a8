import { DisconnectReason, proto, type BaileysEventMap, type WAMessage } from '@whiskeysockets/baileys';
import type { ILogger } from './logger.js';
import { loadAuthState, type StoredAuthState } from './auth-state.js';
import { DEFAULT_BACKOFF, reconnectDelay, type BackoffOptions } from './backoff.js';
import { baileysDriver, type WhatsAppDriver, type WhatsAppSocket } from './driver.js';
import type { ChannelRef, LinkStatus, LinkStatusUpdate, WhatsAppQrHost } from './host.js';
import { normalizeInbound } from './inbound.js';
import { phoneOfJid } from './jid.js';
import { baileysLogger } from './logger.js';
import { toBaileysContent, type OutboundMessage } from './outbound.js';

/** A send that did not reach WhatsApp. `transient`: retrying later may work (not connected, connection lost). */
export class WhatsAppSendError extends Error {
  constructor(
    readonly reason: string,
    readonly transient: boolean,
  ) {
    super(reason);
    this.name = 'WhatsAppSendError';
  }
}

export interface ManagerOptions {
  backoff?: BackoffOptions;
}

/** How many recent message ids a session remembers (sent ones for retries and echoes, stored ones for repeats). */
const RECENT_LIMIT = 500;

/** Codes with which a send fails because of the connection, not the message. */
const TRANSIENT_CODES = new Set<number>([
  DisconnectReason.connectionClosed,
  DisconnectReason.connectionLost,
  DisconnectReason.connectionReplaced,
  DisconnectReason.restartRequired,
  DisconnectReason.unavailableService,
]);

interface Session {
  channel: ChannelRef;
  logger: ILogger;
  status: LinkStatus;
  socket?: WhatsAppSocket;
  auth?: StoredAuthState;
  /** Reconnects since the link was last open; drives the backoff. */
  attempts: number;
  timer?: NodeJS.Timeout;
  stopped: boolean;
  /** Whether this connection showed a QR code: closing unscanned then means it expired. */
  sawQr: boolean;
  /** Messages this device sent, by id: WhatsApp asks for them again on a failed decryption. */
  sent: Map<string, proto.IMessage | undefined>;
  /** Ids already stored, so a repeated upsert does not even download its media again. */
  stored: Set<string>;
  /** Inbound work, one item at a time, in the order WhatsApp delivered it. */
  queue: Promise<void>;
  /** Connection changes, one at a time, so statuses are recorded in the order they happened. */
  control: Promise<void>;
  /** Creds writes, one at a time: a slower older write must not overwrite a newer one. */
  saving: Promise<void>;
}

/**
 * The live WhatsApp linked-device connections of one process: one Baileys socket per inbox, its auth state kept
 * through the host, reconnected with capped exponential backoff, stopped and wiped when the phone unlinks it.
 * Inbound messages and receipts go to the host; sends go out through `send`. Framework-free: the host adapts
 * the application (storage, pipeline, realtime) to it, and tests give it a fake driver.
 */
export class WhatsAppQrManager {
  private readonly sessions = new Map<string, Session>();
  private readonly backoff: BackoffOptions;

  constructor(
    private readonly host: WhatsAppQrHost,
    options: ManagerOptions = {},
  ) {
    this.backoff = options.backoff ?? DEFAULT_BACKOFF;
  }

  private get driver(): WhatsAppDriver {
    return (this.host.driver ??= baileysDriver());
  }

  /** Opens the inbox's connection (with its stored link, or showing a QR code); nothing if it is running. */
  async start(channel: ChannelRef): Promise<void> {
    if (this.sessions.has(channel.id)) return;
    const session: Session = {
      channel,
      logger: baileysLogger(this.host.logger, `[whatsapp-qr ${channel.id}]`),
      status: 'connecting',
      attempts: 0,
      stopped: false,
      sawQr: false,
      sent: new Map(),
      stored: new Set(),
      queue: Promise.resolve(),
      control: Promise.resolve(),
      saving: Promise.resolve(),
    };
    this.sessions.set(channel.id, session);
    await this.inOrder(session, () => this.open(session));
  }

  /** Closes the connection and opens it again at once: a fresh QR code when not linked, else a reconnect. */
  async restart(channel: ChannelRef): Promise<void> {
    await this.stop(channel.id);
    await this.start(channel);
  }

  /** Closes the connection; the device stays linked and its auth state stays stored. */
  async stop(channelId: string): Promise<void> {
    const session = this.sessions.get(channelId);
    if (!session) return;
    this.halt(session);
    const socket = session.socket;
    session.socket = undefined;
    await Promise.resolve(socket?.end(undefined)).catch(() => undefined);
    await session.saving;
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.sessions.keys()].map((id) => this.stop(id)));
  }

  /** Unlinks the device at WhatsApp (when connected), forgets its auth state, and reports `logged_out`. */
  async logout(channel: ChannelRef, reason = 'Logged out from OrbitDesk'): Promise<void> {
    const session = this.sessions.get(channel.id);
    if (session) {
      this.halt(session);
      const socket = session.socket;
      session.socket = undefined;
      await socket
        ?.logout()
        .catch((err: Error) =>
          this.host.logger.warn(`[whatsapp-qr ${channel.id}] logout at WhatsApp failed: ${err.message}`),
        );
      await Promise.resolve(socket?.end(undefined)).catch(() => undefined);
      await session.saving;
    }
    await this.forget(channel, reason);
  }

  isRunning(channelId: string): boolean {
    return this.sessions.has(channelId);
  }

  runningIds(): string[] {
    return [...this.sessions.keys()];
  }

  status(channelId: string): LinkStatus | undefined {
    return this.sessions.get(channelId)?.status;
  }

  /** Sends through the inbox's open connection; resolves to WhatsApp's message id. */
  async send(channelId: string, jid: string, message: OutboundMessage): Promise<string | null> {
    const session = this.sessions.get(channelId);
    const socket = session?.socket;
    if (!session || !socket || session.status !== 'open') {
      throw new WhatsAppSendError(
        `WhatsApp is not connected in this process${session ? ` (link status: ${session.status})` : ''}`,
        true,
      );
    }
    let sent: WAMessage | undefined;
    try {
      sent = await socket.sendMessage(jid, toBaileysContent(message));
    } catch (err) {
      const code = statusCodeOf(err);
      throw new WhatsAppSendError(
        `WhatsApp refused the message: ${(err as Error).message}`,
        code !== undefined && TRANSIENT_CODES.has(code),
      );
    }
    const id = sent?.key.id ?? null;
    if (id) remember(session.sent, id, sent?.message ?? undefined);
    return id;
  }

  private halt(session: Session): void {
    session.stopped = true;
    clearTimeout(session.timer);
    this.sessions.delete(session.channel.id);
  }

  private async open(session: Session): Promise<void> {
    const { channel } = session;
    session.timer = undefined;
    try {
      const auth = await loadAuthState(this.host.authStore(channel));
      if (session.stopped) return;
      session.auth = auth;
      session.sawQr = false;
      await this.report(session, { status: 'connecting' });
      if (session.stopped) return;
      const socket = this.driver.connect({
        channelId: channel.id,
        auth: auth.state,
        logger: session.logger,
        getMessage: (key) => Promise.resolve(key.id ? session.sent.get(key.id) : undefined),
      });
      session.socket = socket;
      this.bind(session, socket);
    } catch (err) {
      // The auth state could not be read (database down) or the socket not built: try again later.
      await this.retry(session, `Could not connect: ${(err as Error).message}`);
    }
  }

  private bind(session: Session, socket: WhatsAppSocket): void {
    const on = <T extends keyof BaileysEventMap>(event: T, fn: (arg: BaileysEventMap[T]) => Promise<void>) =>
      socket.ev.on(event, (arg) => {
        // Events of a socket that was replaced or stopped change nothing.
        if (session.socket !== socket || session.stopped) return;
        fn(arg).catch((err: Error) =>
          this.host.logger.error(`[whatsapp-qr ${session.channel.id}] ${event}: ${err.stack ?? err.message}`),
        );
      });
    on('creds.update', () => {
      const auth = session.auth;
      if (auth) session.saving = this.after(session, session.saving, () => auth.saveCreds());
      return session.saving;
    });
    on('connection.update', (update) =>
      this.inOrder(session, () => this.onConnectionUpdate(session, socket, update)),
    );
    on('messages.upsert', ({ messages, type }) => {
      // `notify`: live; `append`: delivered on reconnect (sent while this device was offline). Our own sends
      // never come back here (emitOwnEvents is off), so both are messages to store.
      if (type !== 'notify' && type !== 'append') return Promise.resolve();
      return this.enqueue(session, () => this.ingest(session, socket, messages));
    });
    on('messages.update', (updates) =>
      this.enqueue(session, async () => {
        for (const { key, update } of updates) {
          const status =
            update.status === proto.WebMessageInfo.Status.DELIVERY_ACK
              ? 'delivered'
              : update.status === proto.WebMessageInfo.Status.READ ||
                  update.status === proto.WebMessageInfo.Status.PLAYED
                ? 'read'
                : undefined;
          if (key.fromMe && key.id && status) await this.receipt(session, key.id, status);
        }
      }),
    );
    on('message-receipt.update', (receipts) =>
      this.enqueue(session, async () => {
        for (const { key, receipt } of receipts) {
          const status =
            receipt.readTimestamp || receipt.playedTimestamp
              ? 'read'
              : receipt.receiptTimestamp
                ? 'delivered'
                : undefined;
          if (key.fromMe && key.id && status) await this.receipt(session, key.id, status);
        }
      }),
    );
  }

  private async onConnectionUpdate(
    session: Session,
    socket: WhatsAppSocket,
    update: BaileysEventMap['connection.update'],
  ): Promise<void> {
    if (update.qr) {
      session.sawQr = true;
      session.status = 'qr';
      await this.host.emitQr(session.channel, update.qr);
      await this.report(session, { status: 'qr' });
    }
    if (update.connection === 'open') {
      session.attempts = 0;
      const phone = phoneOfJid(socket.user?.id ?? session.auth?.state.creds.me?.id);
      if (phone && !(await this.host.claimNumber(session.channel, phone))) {
        await this.logout(session.channel, `${phone} is already linked to another inbox`);
        return;
      }
      await this.report(session, {
        status: 'open',
        ...(phone ? { phone } : {}),
        ...(socket.user?.name ? { name: socket.user.name } : {}),
      });
    }
    if (update.connection === 'close') await this.onClose(session, update.lastDisconnect?.error);
  }

  private async onClose(session: Session, error: Error | undefined): Promise<void> {
    session.socket = undefined;
    const code = statusCodeOf(error);
    if (code === DisconnectReason.loggedOut) {
      this.halt(session);
      await session.saving;
      await this.forget(session.channel, 'Logged out from the phone');
      return;
    }
    const linked = Boolean(session.auth?.state.creds.me?.id);
    // restartRequired follows a successful scan: the phone linked us and the connection must be reopened.
    if (!linked && session.sawQr && code !== DisconnectReason.restartRequired) {
      this.halt(session);
      await this.report(session, {
        status: 'closed',
        reason: 'The QR code expired before it was scanned: start linking again',
        willRetry: false,
      });
      return;
    }
    await this.retry(session, describeClose(code, error));
  }

  /** Reports the drop and reopens after the backoff for this attempt. */
  private async retry(session: Session, reason: string): Promise<void> {
    if (session.stopped) return;
    const delay = reconnectDelay(session.attempts++, this.backoff);
    session.logger.warn(`connection closed (${reason}); reconnecting in ${delay} ms`);
    await this.report(session, { status: 'closed', reason, willRetry: true });
    if (session.stopped) return;
    session.timer = setTimeout(() => void this.inOrder(session, () => this.open(session)), delay);
    session.timer.unref();
  }

  /** Clears the auth state (the next link shows a new QR code) and reports `logged_out`. */
  private async forget(channel: ChannelRef, reason: string): Promise<void> {
    try {
      await this.host.authStore(channel).clear();
    } catch (err) {
      this.host.logger.error(
        `[whatsapp-qr ${channel.id}] could not clear the auth state: ${(err as Error).message}`,
      );
    }
    await this.host
      .emitStatus(channel, { status: 'logged_out', reason })
      .catch((err: Error) => this.host.logger.error(`[whatsapp-qr ${channel.id}] status: ${err.message}`));
  }

  private async ingest(session: Session, socket: WhatsAppSocket, messages: WAMessage[]): Promise<void> {
    for (const msg of messages) {
      const id = msg.key.id;
      if (!id || session.stored.has(id) || (msg.key.fromMe && session.sent.has(id))) continue;
      const inbound = normalizeInbound(msg, (m) => this.driver.downloadMedia(m, socket, session.logger));
      if (!inbound) continue;
      try {
        await this.host.ingest(session.channel, inbound);
        remember(session.stored, id);
      } catch (err) {
        // One bad message must not hold back the rest of the batch.
        this.host.logger.error(
          `[whatsapp-qr ${session.channel.id}] message ${id} not stored: ${(err as Error).message}`,
        );
      }
    }
  }

  private async receipt(session: Session, id: string, status: 'delivered' | 'read'): Promise<void> {
    try {
      await this.host.updateStatus(session.channel, id, status);
    } catch (err) {
      this.host.logger.debug(
        `[whatsapp-qr ${session.channel.id}] receipt for ${id}: ${(err as Error).message}`,
      );
    }
  }

  /** Inbound work after the previous one. */
  private enqueue(session: Session, work: () => Promise<void>): Promise<void> {
    return (session.queue = this.after(session, session.queue, work));
  }

  /** Connection work after the previous one. */
  private inOrder(session: Session, work: () => Promise<void>): Promise<void> {
    return (session.control = this.after(session, session.control, work));
  }

  /** `work` once `previous` settled; a failure is logged and does not block what comes next. */
  private after(session: Session, previous: Promise<void>, work: () => Promise<void>): Promise<void> {
    return previous
      .then(work)
      .catch((err: Error) =>
        this.host.logger.error(`[whatsapp-qr ${session.channel.id}] ${err.stack ?? err.message}`),
      );
  }

  private async report(session: Session, update: LinkStatusUpdate): Promise<void> {
    session.status = update.status;
    try {
      await this.host.emitStatus(session.channel, update);
    } catch (err) {
      this.host.logger.error(`[whatsapp-qr ${session.channel.id}] status: ${(err as Error).message}`);
    }
  }
}

/** Baileys closes with a Boom whose output.statusCode is a DisconnectReason. */
function statusCodeOf(error: unknown): number | undefined {
  const code = (error as { output?: { statusCode?: unknown } } | undefined)?.output?.statusCode;
  return typeof code === 'number' ? code : undefined;
}

const CLOSE_REASONS: Partial<Record<number, string>> = {
  [DisconnectReason.connectionClosed]: 'connection closed',
  [DisconnectReason.connectionLost]: 'connection lost or timed out',
  [DisconnectReason.connectionReplaced]: 'replaced by another connection of the same device',
  [DisconnectReason.badSession]: 'bad session',
  [DisconnectReason.restartRequired]: 'restart required after linking',
  [DisconnectReason.multideviceMismatch]: 'multi-device mismatch',
  [DisconnectReason.forbidden]: 'forbidden by WhatsApp',
  [DisconnectReason.unavailableService]: 'WhatsApp unavailable',
};

function describeClose(code: number | undefined, error: Error | undefined): string {
  const known = code !== undefined ? CLOSE_REASONS[code] : undefined;
  const detail = error?.message;
  if (known && detail && !known.toLowerCase().includes(detail.toLowerCase())) return `${known}: ${detail}`;
  return known ?? detail ?? 'connection closed';
}

/** Adds to a bounded, insertion-ordered memory: the oldest entry goes first. */
function remember<V>(memory: Map<string, V> | Set<string>, id: string, value?: V): void {
  if (memory instanceof Map) memory.set(id, value as V);
  else memory.add(id);
  if (memory.size > RECENT_LIMIT) memory.delete(memory.keys().next().value as string);
}
