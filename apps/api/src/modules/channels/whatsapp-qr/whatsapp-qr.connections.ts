import { Injectable } from '@nestjs/common';
import { WhatsAppQrManager } from '@orbitdesk/plugin-whatsapp-qr';
import { WhatsAppQrHostService } from './whatsapp-qr.host.js';

/**
 * The process's WhatsApp linked-device connections. One instance per process, shared by the outbound adapter and
 * the worker's supervisor; only the worker ever starts a connection, so in the API process it stays empty.
 */
@Injectable()
export class WhatsAppQrConnections extends WhatsAppQrManager {
  constructor(host: WhatsAppQrHostService) {
    super(host);
  }
}
