import { Controller, Get, Param, Post } from '@nestjs/common';
import { ZIdParams, ZWebhookDelivery, ZWebhookDeliveryDetail, type TIdParams } from '@orbitdesk/shared';
import { Roles } from '../../common/auth/access.decorators.js';
import { Contract } from '../../common/http/contract.js';
import { WebhooksService } from './webhooks.service.js';

@Controller('outgoing-webhooks/deliveries')
@Roles('ADMIN')
export class WebhookDeliveriesController {
  constructor(private readonly webhooks: WebhooksService) {}

  @Get(':id')
  @Contract({
    summary: 'A webhook delivery with its payload and every attempt',
    tags: ['Webhooks'],
    params: ZIdParams,
    response: ZWebhookDeliveryDetail,
  })
  get(@Param() { id }: TIdParams) {
    return this.webhooks.getDelivery(id);
  }

  @Post(':id/resend')
  @Contract({
    summary: 'Send the same event again as a new delivery (same event id and payload)',
    tags: ['Webhooks'],
    params: ZIdParams,
    response: ZWebhookDelivery,
    status: 201,
    errors: { 409: 'The endpoint of the delivery is disabled' },
  })
  resend(@Param() { id }: TIdParams) {
    return this.webhooks.resend(id);
  }
}
