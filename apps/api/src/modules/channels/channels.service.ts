import { Inject, Injectable } from '@nestjs/common';
import type {
  ChannelType,
  TChannel,
  TChannelMembers,
  TChannelList,
  TChannelWithSecret,
  TCreateChannelRequest,
  TSetMembersRequest,
  TUpdateChannelRequest,
} from '@orbitdesk/shared';
import { randomToken } from '../../common/crypto/hash.js';
import { badRequest, notFound } from '../../common/http/errors.js';
import { requestContext } from '../../common/tenancy/request-context.js';
import { TenantDb } from '../../common/tenancy/tenant-db.service.js';
import { APP_CONFIG, type AppConfig } from '../../config/app-config.js';
import { AuditService } from '../audit/audit.service.js';
import { assertWorkspaceUsers, UsersRepository } from '../users/users.repository.js';
import { ChannelCredentialsService } from './channel-credentials.service.js';
import { SafeHttpClient } from '../../common/http-client/safe-http-client.js';
import { InboundChannelCache } from './inbound-channel-cache.js';
import { ChannelsRepository, type ChannelRow } from './channels.repository.js';

/** 32 random bytes, base64url: what the caller's system presents in X-Inbox-Secret and what signs callbacks. */
const newInboundSecret = () => randomToken(32);

const mask = (secret: string) => `${'*'.repeat(8)}${secret.slice(-4)}`;

@Injectable()
export class ChannelsService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly tenantDb: TenantDb,
    private readonly repo: ChannelsRepository,
    private readonly credentials: ChannelCredentialsService,
    private readonly audit: AuditService,
    private readonly users: UsersRepository,
    private readonly inboundChannels: InboundChannelCache,
    private readonly http: SafeHttpClient,
  ) {}

  async list(): Promise<TChannelList> {
    const rows = await this.tenantDb.run((tx) => this.repo.list(tx));
    return { items: rows.map((r) => this.toDto(r)) };
  }

  async get(id: string): Promise<TChannel> {
    const row = await this.tenantDb.run((tx) => this.repo.findById(tx, id));
    if (!row) throw notFound('Channel');
    return this.toDto(row);
  }

  async create(input: TCreateChannelRequest): Promise<TChannelWithSecret> {
    const tenantId = requestContext.tenantId();
    await this.http.assertAllowedUrlField(input.config.callbackUrl, 'body.config.callbackUrl');
    const secret = newInboundSecret();
    const row = await this.tenantDb.run(async (tx) => {
      const created = await this.repo.insert(tx, {
        tenantId,
        type: input.type,
        name: input.name,
        config: input.config,
        credentials: this.credentials.seal(tenantId, { inboundSecret: secret }),
        autoAssign: input.autoAssign,
        maxOpenPerAgent: input.maxOpenPerAgent,
      });
      await this.audit.record(tx, {
        action: 'channel.created',
        entityType: 'channel',
        entityId: created.id,
        metadata: { type: input.type, name: input.name },
      });
      return created;
    });
    return { ...this.toDto(row), secret };
  }

  async update(id: string, input: TUpdateChannelRequest): Promise<TChannel> {
    if (input.config)
      await this.http.assertAllowedUrlField(input.config.callbackUrl, 'body.config.callbackUrl');
    const row = await this.tenantDb.run(async (tx) => {
      const existing = await this.repo.findById(tx, id);
      if (!existing) throw notFound('Channel');
      // The config schema in the request is the api inbox's; other types are configured by their connect flows.
      if (input.config && existing.type !== 'api') {
        throw badRequest(`The config of a ${existing.type} channel cannot be changed here`);
      }
      const updated = await this.repo.update(tx, id, input);
      await this.audit.record(tx, {
        action: 'channel.updated',
        entityType: 'channel',
        entityId: id,
        metadata: { fields: Object.keys(input) },
      });
      return updated!;
    });
    await this.inboundChannels.invalidate(id);
    return this.toDto(row);
  }

  /** Deletes the inbox with its conversations and messages (the foreign keys cascade). */
  async remove(id: string): Promise<TChannel> {
    const row = await this.tenantDb.run(async (tx) => {
      const existing = await this.repo.findById(tx, id);
      if (!existing) throw notFound('Channel');
      await this.repo.delete(tx, id);
      await this.audit.record(tx, {
        action: 'channel.deleted',
        entityType: 'channel',
        entityId: id,
        metadata: { type: existing.type, name: existing.name },
      });
      return existing;
    });
    await this.inboundChannels.invalidate(id);
    return this.toDto(row);
  }

  /** The old secret stops working at once: callers must switch to the new one. */
  async rotateSecret(id: string): Promise<TChannelWithSecret> {
    const tenantId = requestContext.tenantId();
    const secret = newInboundSecret();
    const row = await this.tenantDb.run(async (tx) => {
      const existing = await this.repo.findById(tx, id);
      if (!existing) throw notFound('Channel');
      if (existing.type !== 'api')
        throw badRequest(`A ${existing.type} channel has no inbound secret to rotate`);
      const updated = await this.repo.update(tx, id, {
        credentials: this.credentials.seal(tenantId, {
          ...this.credentials.open(existing),
          inboundSecret: secret,
        }),
      });
      await this.audit.record(tx, { action: 'channel.secret_rotated', entityType: 'channel', entityId: id });
      return updated!;
    });
    // On every replica, not only this one: cached copies of the inbox hold the old secret.
    await this.inboundChannels.invalidate(id);
    return { ...this.toDto(row), secret };
  }

  async members(id: string): Promise<TChannelMembers> {
    return this.tenantDb.run(async (tx) => {
      if (!(await this.repo.findById(tx, id))) throw notFound('Channel');
      return { userIds: await this.repo.memberIds(tx, id) };
    });
  }

  /** Replaces the inbox's agents (whom round-robin assignment picks from); every id must be a user here. */
  async setMembers(id: string, input: TSetMembersRequest): Promise<TChannelMembers> {
    const tenantId = requestContext.tenantId();
    return this.tenantDb.run(async (tx) => {
      if (!(await this.repo.findById(tx, id))) throw notFound('Channel');
      await assertWorkspaceUsers(this.users, tx, input.userIds);
      await this.repo.replaceMembers(tx, tenantId, id, input.userIds);
      await this.audit.record(tx, {
        action: 'channel.members_set',
        entityType: 'channel',
        entityId: id,
        metadata: { userIds: input.userIds },
      });
      return { userIds: [...input.userIds].sort() };
    });
  }

  private toDto(r: ChannelRow): TChannel {
    const secret = r.type === 'api' ? this.credentials.open(r).inboundSecret : undefined;
    return {
      id: r.id,
      type: r.type as ChannelType,
      name: r.name,
      config: r.config,
      isActive: r.isActive,
      autoAssign: r.autoAssign,
      maxOpenPerAgent: r.maxOpenPerAgent,
      webhookUrl:
        r.type === 'api'
          ? `${this.config.PUBLIC_URL.replace(/\/+$/, '')}/api/v1/channels/api/${r.id}/messages`
          : null,
      inboundSecret: secret ? mask(secret) : null,
      createdAt: r.createdAt.toISOString(),
      updatedAt: r.updatedAt.toISOString(),
    };
  }
}
