import { Injectable } from '@nestjs/common';
import {
  baileysDriver,
  type ConnectOptions,
  type WAMessage,
  type WhatsAppDriver,
  type WhatsAppSocket,
} from '@orbitdesk/plugin-whatsapp-qr';
import type { Readable } from 'node:stream';

type BaileysLogger = Parameters<WhatsAppDriver['downloadMedia']>[2];

/**
 * Baileys (makeWASocket, downloadMediaMessage) as a provider: the one place the live connections are opened,
 * which the tests replace with a fake WhatsApp, since WhatsApp's servers are out of reach there.
 */
@Injectable()
export class WhatsAppQrDriver implements WhatsAppDriver {
  private readonly baileys = baileysDriver();

  connect(options: ConnectOptions): WhatsAppSocket {
    return this.baileys.connect(options);
  }

  downloadMedia(message: WAMessage, socket: WhatsAppSocket, logger: BaileysLogger): Promise<Readable> {
    return this.baileys.downloadMedia(message, socket, logger);
  }
}
