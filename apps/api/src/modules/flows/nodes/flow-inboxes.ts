import { Injectable } from '@nestjs/common';
import { Database } from '../../../db/database.js';
import {
  ChannelCredentialsService,
  type ChannelSecrets,
} from '../../channels/channel-credentials.service.js';
import { ChannelsRepository, type ChannelRow } from '../../channels/channels.repository.js';

export interface FlowInbox {
  row: ChannelRow;
  secrets: ChannelSecrets;
}

/**
 * The inbox a sending node goes through: the one its settings name, or else the workspace's oldest active inbox
 * of the type. Read inside the run's tenant (row-level security applies), so a node can never name another
 * workspace's inbox: that id is simply not found.
 */
@Injectable()
export class FlowInboxes {
  constructor(
    private readonly db: Database,
    private readonly channels: ChannelsRepository,
    private readonly credentials: ChannelCredentialsService,
  ) {}

  async find(
    tenantId: string,
    type: string,
    inboxId: string | undefined,
  ): Promise<{ ok: true; inbox: FlowInbox } | { ok: false; reason: 'missing' | 'not_found' | 'inactive' }> {
    const row = await this.db.tenantTransaction(tenantId, async (tx) => {
      if (inboxId) return this.channels.findById(tx, inboxId);
      const rows = await this.channels.list(tx);
      // list() is newest first; the oldest active inbox is the workspace's usual one.
      return rows.filter((r) => r.type === type && r.isActive).at(-1);
    });
    if (!row) return { ok: false, reason: inboxId ? 'not_found' : 'missing' };
    if (row.type !== type) return { ok: false, reason: 'not_found' };
    if (!row.isActive) return { ok: false, reason: 'inactive' };
    return { ok: true, inbox: { row, secrets: this.credentials.open(row) } };
  }
}

/** The plain words for a failed lookup, e.g. "No email inbox is connected". */
export function describeInboxLookup(
  reason: 'missing' | 'not_found' | 'inactive',
  label: string,
  inboxId: string | undefined,
): string {
  switch (reason) {
    case 'missing':
      return `No ${label} inbox is connected`;
    case 'not_found':
      return `inboxId: no ${label} inbox ${inboxId ?? ''} in this workspace`;
    case 'inactive':
      return `inboxId: the ${label} inbox ${inboxId ?? ''} is disabled`;
  }
}
