import { Injectable } from '@nestjs/common';
import { SecretBox } from '../../common/crypto/secret-box.js';

/**
 * Secrets of one channel, by name: what the admin entered (access tokens, app secrets, passwords) and what the
 * platform generated (an `api` inbox's `inboundSecret`, verify tokens, webhook secrets).
 */
export type ChannelSecrets = Record<string, string | undefined> & { inboundSecret?: string };

/**
 * Channel credentials at rest: one SecretBox ciphertext of a JSON object, bound to the tenant id as associated
 * data so a value copied into another tenant's row does not decrypt.
 */
@Injectable()
export class ChannelCredentialsService {
  constructor(private readonly box: SecretBox) {}

  seal(tenantId: string, secrets: ChannelSecrets): string {
    return this.box.encrypt(JSON.stringify(secrets), tenantId);
  }

  /**
   * Decrypted once per row object: webhook deliveries authenticate against the same cached inbox row on every
   * message (InboundChannelCache). Each call gets its own copy.
   */
  open(row: { tenantId: string; credentials: string | null }): ChannelSecrets {
    if (!row.credentials) return {};
    const known = this.opened.get(row);
    if (known && known.credentials === row.credentials && known.tenantId === row.tenantId) {
      return { ...known.secrets };
    }
    const secrets = JSON.parse(this.box.decrypt(row.credentials, row.tenantId)) as ChannelSecrets;
    this.opened.set(row, { credentials: row.credentials, tenantId: row.tenantId, secrets });
    return { ...secrets };
  }

  private readonly opened = new WeakMap<
    object,
    { credentials: string; tenantId: string; secrets: ChannelSecrets }
  >();
}
