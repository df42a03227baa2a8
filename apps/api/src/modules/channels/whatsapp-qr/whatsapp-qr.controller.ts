import { Controller, Get, Param, Post } from '@nestjs/common';
import { ZIdParams, ZWhatsAppQrStatus, type TIdParams } from '@orbitdesk/shared';
import { Roles } from '../../../common/auth/access.decorators.js';
import { Contract } from '../../../common/http/contract.js';
import { WhatsAppQrService } from './whatsapp-qr.service.js';

@Controller('channels/:id/whatsapp-qr')
@Roles('ADMIN')
export class WhatsAppQrController {
  constructor(private readonly service: WhatsAppQrService) {}

  @Post('link')
  @Contract({
    summary:
      'Start (or restart) linking a WhatsApp phone: the QR code to scan arrives on the /chat socket as baileys:qr',
    tags: ['Channels'],
    params: ZIdParams,
    response: ZWhatsAppQrStatus,
    status: 202,
    errors: { 404: 'No WhatsApp (QR) inbox with this id', 409: 'Already linked, or the inbox is disabled' },
  })
  link(@Param() { id }: TIdParams) {
    return this.service.link(id);
  }

  @Get('status')
  @Contract({
    summary: 'Where the linked WhatsApp device stands (with the current QR code while waiting for a scan)',
    tags: ['Channels'],
    params: ZIdParams,
    response: ZWhatsAppQrStatus,
    errors: { 404: 'No WhatsApp (QR) inbox with this id' },
  })
  status(@Param() { id }: TIdParams) {
    return this.service.status(id);
  }

  @Post('logout')
  @Contract({
    summary: 'Unlink the WhatsApp device and forget its keys; linking again shows a new QR code',
    tags: ['Channels'],
    params: ZIdParams,
    response: ZWhatsAppQrStatus,
    status: 200,
    errors: { 404: 'No WhatsApp (QR) inbox with this id' },
  })
  logout(@Param() { id }: TIdParams) {
    return this.service.logout(id);
  }
}
