import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import type { TChannelTestResult } from '@orbitdesk/shared';
import { ChannelTypeRegistry, type ChannelTypeContext, type ChannelTypeHandler } from '../channel-type.js';
import { WhatsAppQrCoordination, type WhatsAppQrCommand } from './whatsapp-qr.coordination.js';
import { describeLink, readLinkState } from './whatsapp-qr.state.js';

/**
 * `whatsapp_qr` inboxes: nothing to enter; the link is made by scanning a QR code with the phone after creation.
 * There is no webhook: a worker holds a live connection to WhatsApp, and the link state it records is what
 * test() and details report.
 */
@Injectable()
export class WhatsAppQrType implements ChannelTypeHandler, OnModuleInit {
  readonly type = 'whatsapp_qr' as const;
  private readonly logger = new Logger('WhatsAppQrType');

  constructor(
    private readonly registry: ChannelTypeRegistry,
    private readonly coordination: WhatsAppQrCoordination,
  ) {}

  onModuleInit(): void {
    this.registry.register(this);
  }

  webhookUrl(): null {
    return null;
  }

  details({ row }: ChannelTypeContext): Record<string, unknown> {
    const state = readLinkState(row);
    return {
      linkStatus: state.status,
      phone: state.phone,
      linkUrl: `/api/v1/channels/${row.id}/whatsapp-qr/link`,
      statusUrl: `/api/v1/channels/${row.id}/whatsapp-qr/status`,
    };
  }

  test({ row }: ChannelTypeContext): Promise<TChannelTestResult> {
    const state = readLinkState(row);
    return Promise.resolve({ ...describeLink(state), details: { linkStatus: state.status } });
  }

  /** Created or re-enabled: a worker opens the connection (and shows a QR code when not linked yet). */
  async connect({ row }: ChannelTypeContext): Promise<void> {
    await this.signal({ action: 'link', channelId: row.id, tenantId: row.tenantId });
  }

  /** Deleted or disabled: the worker closes the connection. The phone keeps the device until unlinked there. */
  async disconnect({ row }: ChannelTypeContext): Promise<void> {
    await this.signal({ action: 'stop', channelId: row.id, tenantId: row.tenantId });
  }

  /** Never fails the admin's request: without the signal, the workers' periodic sync gets there. */
  private async signal(command: WhatsAppQrCommand): Promise<void> {
    await this.coordination
      .publish(command)
      .catch((err: Error) =>
        this.logger.warn(`${command.action} of inbox ${command.channelId} not signalled: ${err.message}`),
      );
  }
}
