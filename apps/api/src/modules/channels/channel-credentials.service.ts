import { Injectable } from '@nestjs/common';
import { SecretBox } from '../../common/crypto/secret-box.js';

/** Secrets of one channel. `inboundSecret` authenticates callers of the inbox's webhook and signs callbacks. */
export interface ChannelSecrets {
  inboundSecret?: string;
}

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

  open(row: { tenantId: string; credentials: string | null }): ChannelSecrets {
    if (!row.credentials) return {};
    return JSON.parse(this.box.decrypt(row.credentials, row.tenantId)) as ChannelSecrets;
  }
}
