import { Injectable, Logger } from '@nestjs/common';
import type { TWhatsAppQrStatus } from '@orbitdesk/shared';
import { conflict, notFound } from '../../../common/http/errors.js';
import { TenantDb } from '../../../common/tenancy/tenant-db.service.js';
import { AuditService } from '../../audit/audit.service.js';
import { ChannelsRepository, type ChannelRow } from '../channels.repository.js';
import { InboundChannelCache } from '../inbound-channel-cache.js';
import { WhatsAppQrAuthStores } from './whatsapp-qr-auth-store.js';
import { WhatsAppQrCoordination } from './whatsapp-qr.coordination.js';
import { readLinkState, toStatusDto, type LinkState } from './whatsapp-qr.state.js';

/**
 * The admins' controls of a linked device, in the API. The connection itself lives in a worker: the API records
 * the wanted state in channels.state (so the worker's periodic sync gets there even if a command is lost) and
 * signals the workers through Redis for an immediate effect.
 */
@Injectable()
export class WhatsAppQrService {
  private readonly logger = new Logger('WhatsAppQrService');

  constructor(
    private readonly tenantDb: TenantDb,
    private readonly repo: ChannelsRepository,
    private readonly coordination: WhatsAppQrCoordination,
    private readonly authStores: WhatsAppQrAuthStores,
    private readonly inboundChannels: InboundChannelCache,
    private readonly audit: AuditService,
  ) {}

  async status(id: string): Promise<TWhatsAppQrStatus> {
    return toStatusDto(await this.load(id));
  }

  /** Starts linking (a fresh QR code follows on the sockets as `baileys:qr`), or restarts a stuck connection. */
  async link(id: string): Promise<TWhatsAppQrStatus> {
    const row = await this.load(id);
    if (!row.isActive) throw conflict('The inbox is disabled: enable it before linking');
    const state = readLinkState(row);
    if (state.status === 'open') {
      throw conflict(`Already linked as ${state.phone ?? 'a number'}: log out first to link another phone`);
    }
    const updated = await this.change(row, 'channel.whatsapp_qr.link', {
      status: 'connecting',
      reason: null,
      qr: null,
      idle: false,
    });
    await this.signal({ action: 'link', channelId: id, tenantId: row.tenantId });
    return toStatusDto(updated);
  }

  /** Unlinks the device (WhatsApp removes it from the phone's linked devices) and forgets its keys. */
  async logout(id: string): Promise<TWhatsAppQrStatus> {
    const row = await this.load(id);
    const updated = await this.change(row, 'channel.whatsapp_qr.logout', {
      status: 'logged_out',
      reason: 'Logged out from OrbitDesk',
      qr: null,
      phone: null,
      name: null,
      idle: true,
    });
    await this.signal({ action: 'logout', channelId: id, tenantId: row.tenantId });
    // No worker holds the connection (disabled inbox, workers down): nothing will clear the keys but us.
    if (!(await this.coordination.isHeld(id))) {
      await this.authStores.for({ id, tenantId: row.tenantId }).clear();
      await this.tenantDb.run((tx) => this.repo.update(tx, id, { externalId: null }));
      await this.inboundChannels.invalidate(id);
    }
    return toStatusDto(updated);
  }

  private async load(id: string): Promise<ChannelRow> {
    const row = await this.tenantDb.run((tx) => this.repo.findById(tx, id));
    if (!row || row.type !== 'whatsapp_qr') throw notFound('WhatsApp (QR) inbox');
    return row;
  }

  private async change(row: ChannelRow, action: string, patch: Partial<LinkState>): Promise<ChannelRow> {
    const state = { ...patch, updatedAt: new Date().toISOString() };
    await this.tenantDb.run(async (tx) => {
      await this.repo.mergeState(tx, row.id, state);
      await this.audit.record(tx, { action, entityType: 'channel', entityId: row.id });
    });
    return { ...row, state: { ...row.state, ...state } };
  }

  /** A lost command is not fatal: the state is recorded, and the workers' sync acts on it within a minute. */
  private async signal(command: Parameters<WhatsAppQrCoordination['publish']>[0]): Promise<void> {
    await this.coordination
      .publish(command)
      .catch((err: Error) =>
        this.logger.warn(`${command.action} of inbox ${command.channelId} not signalled: ${err.message}`),
      );
  }
}
