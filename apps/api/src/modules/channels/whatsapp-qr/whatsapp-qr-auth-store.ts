import { Injectable } from '@nestjs/common';
import type { AuthKeyStore, ChannelRef } from '@orbitdesk/plugin-whatsapp-qr';
import { SecretBox } from '../../../common/crypto/secret-box.js';
import { Database } from '../../../db/database.js';
import { WhatsAppQrAuthRepository } from './whatsapp-qr-auth.repository.js';

/**
 * One inbox's linked-device auth state in channel_auth_keys. The creds and Signal keys are enough to read and send
 * as the linked phone, so each value is a SecretBox ciphertext bound to the tenant (a row copied into another
 * workspace does not decrypt), and every access runs in the tenant's transaction, under row-level security.
 */
class SealedAuthKeyStore implements AuthKeyStore {
  constructor(
    private readonly db: Database,
    private readonly box: SecretBox,
    private readonly repo: WhatsAppQrAuthRepository,
    private readonly channel: ChannelRef,
  ) {}

  async read(keys: string[]): Promise<Map<string, string>> {
    if (!keys.length) return new Map();
    const rows = await this.db.tenantTransaction(this.channel.tenantId, (tx) =>
      this.repo.read(tx, this.channel.id, keys),
    );
    return new Map(rows.map((r) => [r.key, this.box.decrypt(r.value, this.channel.tenantId)]));
  }

  async write(entries: Map<string, string | null>): Promise<void> {
    const upserts = [...entries]
      .filter((e): e is [string, string] => e[1] !== null)
      .map(([key, value]) => ({ key, value: this.box.encrypt(value, this.channel.tenantId) }));
    const deletes = [...entries].filter(([, value]) => value === null).map(([key]) => key);
    await this.db.tenantTransaction(this.channel.tenantId, async (tx) => {
      if (upserts.length) await this.repo.upsert(tx, this.channel.tenantId, this.channel.id, upserts);
      if (deletes.length) await this.repo.delete(tx, this.channel.id, deletes);
    });
  }

  async clear(): Promise<void> {
    await this.db.tenantTransaction(this.channel.tenantId, (tx) => this.repo.clear(tx, this.channel.id));
  }
}

/** Hands out the sealed auth-state store of each inbox. */
@Injectable()
export class WhatsAppQrAuthStores {
  constructor(
    private readonly db: Database,
    private readonly box: SecretBox,
    private readonly repo: WhatsAppQrAuthRepository,
  ) {}

  for(channel: ChannelRef): AuthKeyStore {
    return new SealedAuthKeyStore(this.db, this.box, this.repo, channel);
  }
}
