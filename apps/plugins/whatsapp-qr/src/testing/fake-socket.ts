import { EventEmitter } from 'node:events';
import { Readable } from 'node:stream';
import type { AnyMessageContent, BaileysEventMap, WAMessage } from '@whiskeysockets/baileys';
import { proto } from '@whiskeysockets/baileys';
import type { ConnectOptions, WhatsAppDriver, WhatsAppSocket } from '../driver.js';

/** A Boom as Baileys closes connections with: an Error with isBoom and output.statusCode. */
export const boom = (statusCode: number, message = 'closed') =>
  Object.assign(new Error(message), { isBoom: true, output: { statusCode, payload: {}, headers: {} } });

/** The socket part the manager uses, driven by the test. */
export class FakeSocket implements WhatsAppSocket {
  readonly emitter = new EventEmitter();
  readonly ev = {
    on: <T extends keyof BaileysEventMap>(event: T, listener: (arg: BaileysEventMap[T]) => void) => {
      this.emitter.on(event, listener);
    },
  };
  user?: { id: string; name?: string };
  readonly sent: { jid: string; content: AnyMessageContent }[] = [];
  sendError?: Error;
  ended = false;
  loggedOut = false;

  constructor(readonly options: ConnectOptions) {}

  emit<T extends keyof BaileysEventMap>(event: T, arg: BaileysEventMap[T]): void {
    this.emitter.emit(event, arg);
  }

  sendMessage(jid: string, content: AnyMessageContent): Promise<WAMessage | undefined> {
    if (this.sendError) return Promise.reject(this.sendError);
    this.sent.push({ jid, content });
    const id = `3EB0${this.sent.length.toString().padStart(16, '0')}`;
    return Promise.resolve(
      proto.WebMessageInfo.fromObject({
        key: { remoteJid: jid, fromMe: true, id },
        message: { conversation: 'x' },
      }) as WAMessage,
    );
  }

  logout(): Promise<void> {
    this.loggedOut = true;
    return Promise.resolve();
  }

  end(): void {
    this.ended = true;
  }

  updateMediaMessage(message: WAMessage): Promise<WAMessage> {
    return Promise.resolve(message);
  }
}

/** Records every socket it opens; media downloads answer `mediaBytes`. */
export class FakeDriver implements WhatsAppDriver {
  readonly sockets: FakeSocket[] = [];
  mediaBytes = Buffer.from('media');

  connect(options: ConnectOptions): FakeSocket {
    const socket = new FakeSocket(options);
    this.sockets.push(socket);
    return socket;
  }

  downloadMedia(): Promise<Readable> {
    return Promise.resolve(Readable.from([this.mediaBytes]));
  }

  get last(): FakeSocket {
    return this.sockets.at(-1)!;
  }
}
