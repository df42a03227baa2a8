import { Injectable, Logger } from '@nestjs/common';
import {
  API_KEY_PREFIX,
  MAX_ACTIVE_API_KEYS,
  type TApiKey,
  type TApiKeySelf,
  type TCreateApiKeyRequest,
  type TCreateApiKeyResponse,
  type TUpdateApiKeyRequest,
} from '@orbitdesk/shared';
import type { Principal } from '../../common/auth/principal.js';
import { randomToken, sha256Hex } from '../../common/crypto/hash.js';
import { conflict, notFound, unauthorized } from '../../common/http/errors.js';
import { requestContext } from '../../common/tenancy/request-context.js';
import { TenantDb } from '../../common/tenancy/tenant-db.service.js';
import { AuditService } from '../audit/audit.service.js';
import { ApiKeysRepository, type ApiKeyRow } from './api-keys.repository.js';

const toDto = (k: ApiKeyRow): TApiKey => ({
  id: k.id,
  name: k.name,
  prefix: k.prefix,
  scopes: k.scopes,
  expiresAt: k.expiresAt?.toISOString() ?? null,
  revokedAt: k.revokedAt?.toISOString() ?? null,
  lastUsedAt: k.lastUsedAt?.toISOString() ?? null,
  createdAt: k.createdAt.toISOString(),
});

@Injectable()
export class ApiKeysService {
  private readonly logger = new Logger('ApiKeysService');

  constructor(
    private readonly tenantDb: TenantDb,
    private readonly repo: ApiKeysRepository,
    private readonly audit: AuditService,
  ) {}

  async list(): Promise<{ items: TApiKey[] }> {
    const rows = await this.tenantDb.run((tx) => this.repo.list(tx));
    return { items: rows.map(toDto) };
  }

  /** The calling key's own metadata; read through the tenant transaction like any other tenant data. */
  async self(keyId: string): Promise<TApiKeySelf> {
    const row = await this.tenantDb.run((tx) => this.repo.findById(tx, keyId));
    if (!row) throw notFound('API key');
    const { id, name, prefix, scopes, expiresAt, lastUsedAt } = toDto(row);
    return { id, name, prefix, scopes, expiresAt, lastUsedAt };
  }

  async create(input: TCreateApiKeyRequest): Promise<TCreateApiKeyResponse> {
    const tenantId = requestContext.tenantId();
    const principal = requestContext.get()?.principal;
    // 32 random bytes → 43 url-safe characters after the prefix.
    const raw = `${API_KEY_PREFIX}${randomToken(32)}`;
    const row = await this.tenantDb.run(async (tx) => {
      await this.repo.lockTenantKeys(tx, tenantId);
      if ((await this.repo.countActive(tx)) >= MAX_ACTIVE_API_KEYS) {
        throw conflict(
          `A workspace can have at most ${MAX_ACTIVE_API_KEYS} active API keys; revoke one first`,
        );
      }
      const created = await this.repo.insert(tx, {
        tenantId,
        name: input.name,
        keyHash: sha256Hex(raw),
        prefix: raw.slice(0, API_KEY_PREFIX.length + 6),
        scopes: input.scopes,
        expiresAt: input.expiresAt ? new Date(input.expiresAt) : null,
        createdBy: principal?.kind === 'user' ? principal.userId : null,
      });
      await this.audit.record(tx, {
        action: 'api_key.created',
        entityType: 'api_key',
        entityId: created.id,
        metadata: { name: input.name, scopes: input.scopes },
      });
      return created;
    });
    return { ...toDto(row), key: raw };
  }

  async update(id: string, input: TUpdateApiKeyRequest): Promise<TApiKey> {
    return this.tenantDb.run(async (tx) => {
      const existing = await this.repo.findById(tx, id);
      if (!existing) throw notFound('API key');
      const row = await this.repo.update(tx, id, { name: input.name, scopes: input.scopes });
      await this.audit.record(tx, {
        action: 'api_key.updated',
        entityType: 'api_key',
        entityId: id,
        metadata: { ...input },
      });
      return toDto(row!);
    });
  }

  /** Revocation keeps the row (for the audit trail and lastUsedAt) and takes effect on the next request. */
  async revoke(id: string): Promise<TApiKey> {
    return this.tenantDb.run(async (tx) => {
      const existing = await this.repo.findById(tx, id);
      if (!existing) throw notFound('API key');
      if (existing.revokedAt) return toDto(existing);
      const row = await this.repo.update(tx, id, { revokedAt: new Date() });
      await this.audit.record(tx, { action: 'api_key.revoked', entityType: 'api_key', entityId: id });
      return toDto(row!);
    });
  }

  async authenticate(raw: string): Promise<Principal> {
    // Cheap format check first: garbage never reaches the database.
    if (!raw.startsWith(API_KEY_PREFIX) || raw.length < API_KEY_PREFIX.length + 43 || raw.length > 200) {
      throw unauthorized('API key is invalid');
    }
    const key = await this.repo.unsafeFindActiveByHash(sha256Hex(raw));
    if (!key) throw unauthorized('API key is invalid');
    if (key.revokedAt) throw unauthorized('API key has been revoked');
    if (key.expiresAt && key.expiresAt.getTime() <= Date.now()) throw unauthorized('API key has expired');
    if (key.tenantStatus !== 'ACTIVE') throw unauthorized('The workspace of this API key is not active');
    this.repo
      .unsafeTouchLastUsed(key.id)
      .catch((err: Error) => this.logger.warn(`lastUsedAt update failed: ${err.message}`));
    return { kind: 'api_key', keyId: key.id, tenantId: key.tenantId, scopes: key.scopes };
  }
}
