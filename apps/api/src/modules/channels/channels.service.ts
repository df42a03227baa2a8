import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  CHANNEL_TYPE_SCHEMAS,
  type ChannelType,
  type TChannel,
  type TChannelMembers,
  type TChannelList,
  type TChannelTestResult,
  type TChannelWithSecret,
  type TCreateChannelRequest,
  type TSetMembersRequest,
  type TUpdateChannelRequest,
} from '@orbitdesk/shared';
import { randomToken } from '../../common/crypto/hash.js';
import {
  AppError,
  badRequest,
  conflict,
  describeIssues,
  notFound,
  validationError,
} from '../../common/http/errors.js';
import { requestContext } from '../../common/tenancy/request-context.js';
import { TenantDb } from '../../common/tenancy/tenant-db.service.js';
import { APP_CONFIG, type AppConfig } from '../../config/app-config.js';
import { isUniqueViolation } from '../../db/query-helpers.js';
import { AuditService } from '../audit/audit.service.js';
import { assertWorkspaceUsers, UsersRepository } from '../users/users.repository.js';
import { ChannelCredentialsService, type ChannelSecrets } from './channel-credentials.service.js';
import {
  ChannelTypeRegistry,
  hashWebhookToken,
  type ChannelTypeContext,
  type ChannelTypeHandler,
  type ConnectOutcome,
} from './channel-type.js';
import { SafeHttpClient } from '../../common/http-client/safe-http-client.js';
import { InboundChannelCache } from './inbound-channel-cache.js';
import { ChannelsRepository, type ChannelRow } from './channels.repository.js';

/** 32 random bytes, base64url: what the caller's system presents in X-Inbox-Secret and what signs callbacks. */
const newInboundSecret = () => randomToken(32);

/** `********abcd`: enough to tell two secrets apart, never enough to use one. */
export const maskSecret = (secret: string) => `${'*'.repeat(8)}${secret.length > 8 ? secret.slice(-4) : ''}`;

const PROVIDER_NAMES: Record<ChannelType, string> = {
  api: 'API',
  whatsapp: 'WhatsApp',
  messenger: 'Messenger',
  instagram: 'Instagram',
  telegram: 'Telegram',
  twilio_sms: 'Twilio SMS',
  email: 'Email',
  live_chat: 'Live chat',
  whatsapp_qr: 'WhatsApp (QR)',
};

const accountTaken = (type: string) =>
  conflict(
    `This ${PROVIDER_NAMES[type as ChannelType]} account is already connected to an inbox (here or in another workspace)`,
  );

@Injectable()
export class ChannelsService {
  private readonly logger = new Logger('ChannelsService');

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly tenantDb: TenantDb,
    private readonly repo: ChannelsRepository,
    private readonly credentials: ChannelCredentialsService,
    private readonly audit: AuditService,
    private readonly users: UsersRepository,
    private readonly inboundChannels: InboundChannelCache,
    private readonly http: SafeHttpClient,
    private readonly types: ChannelTypeRegistry,
  ) {}

  async list(): Promise<TChannelList> {
    const rows = await this.tenantDb.run((tx) => this.repo.list(tx));
    return { items: rows.map((r) => this.toDto(r)) };
  }

  async get(id: string): Promise<TChannel> {
    return this.toDto(await this.load(id));
  }

  async create(input: TCreateChannelRequest): Promise<TChannelWithSecret> {
    const tenantId = requestContext.tenantId();
    const handler = this.handlerFor(input.type);
    if (input.type === 'api')
      await this.http.assertAllowedUrlField(input.config.callbackUrl, 'body.config.callbackUrl');
    const config = input.config as Record<string, unknown>;
    const secrets: ChannelSecrets = {
      ...(input.credentials as Record<string, string>),
      ...handler.generateSecrets?.(),
      ...(input.type === 'api' ? { inboundSecret: newInboundSecret() } : {}),
    };
    const row = await this.tenantDb.run(async (tx) => {
      const created = await this.guardUnique(input.type, () =>
        this.repo.insert(tx, {
          tenantId,
          type: input.type,
          name: input.name,
          config,
          credentials: this.credentials.seal(tenantId, secrets),
          autoAssign: input.autoAssign,
          maxOpenPerAgent: input.maxOpenPerAgent,
          ...this.routing(handler, config, secrets),
        }),
      );
      await this.audit.record(tx, {
        action: 'channel.created',
        entityType: 'channel',
        entityId: created.id,
        metadata: { type: input.type, name: input.name },
      });
      return created;
    });
    const connected = await this.connectOrUndo(handler, row, secrets);
    return { ...this.toDto(connected), ...(secrets.inboundSecret ? { secret: secrets.inboundSecret } : {}) };
  }

  async update(id: string, input: TUpdateChannelRequest): Promise<TChannel> {
    const tenantId = requestContext.tenantId();
    const existing = await this.load(id);
    const handler = this.handlerFor(existing.type);
    const schemas = CHANNEL_TYPE_SCHEMAS[existing.type as ChannelType];
    let config: Record<string, unknown> | undefined;
    if (input.config) {
      const parsed = schemas.config.safeParse(input.config);
      if (!parsed.success) throw validationError(describeIssues('body.config', parsed.error));
      config = parsed.data;
      if (existing.type === 'api')
        await this.http.assertAllowedUrlField(String(config.callbackUrl), 'body.config.callbackUrl');
    }
    const oldSecrets = this.credentials.open(existing);
    let secrets: ChannelSecrets | undefined;
    if (input.credentials) {
      // Merged: an admin changes one token without re-entering the others.
      const parsed = schemas.credentials.partial().safeParse(input.credentials);
      if (!parsed.success) throw validationError(describeIssues('body.credentials', parsed.error));
      secrets = { ...oldSecrets, ...(parsed.data as Record<string, string>) };
    }
    const providerChanged = config !== undefined || secrets !== undefined;
    const nextConfig = config ?? existing.config;
    const nextSecrets = secrets ?? oldSecrets;
    const routing: Partial<ReturnType<ChannelsService['routing']>> = providerChanged
      ? this.routing(handler, nextConfig, nextSecrets)
      : {};
    const reactivated = input.isActive === true && !existing.isActive;
    const willBeActive = input.isActive ?? existing.isActive;
    let outcome: ConnectOutcome | undefined;
    if ((providerChanged || reactivated) && willBeActive && handler.connect) {
      if (routing.externalId && routing.externalId !== existing.externalId)
        await this.assertAccountFree(existing.type, id, routing.externalId);
      // Connected before anything is saved: a provider that refuses the change leaves the inbox as it was.
      outcome =
        (await handler.connect(
          this.context({ ...existing, config: nextConfig, ...routing, isActive: true }, nextSecrets),
        )) ?? undefined;
    }
    const savedConfig = outcome?.config ? { ...nextConfig, ...outcome.config } : config;
    const row = await this.tenantDb.run(async (tx) => {
      const updated = await this.guardUnique(existing.type, () =>
        this.repo.update(tx, id, {
          name: input.name,
          isActive: input.isActive,
          autoAssign: input.autoAssign,
          maxOpenPerAgent: input.maxOpenPerAgent,
          ...(savedConfig ? { config: savedConfig } : {}),
          ...(secrets ? { credentials: this.credentials.seal(tenantId, secrets) } : {}),
          ...routing,
        }),
      );
      if (!updated) throw notFound('Channel');
      if (outcome?.state) await this.repo.mergeState(tx, id, outcome.state);
      await this.audit.record(tx, {
        action: 'channel.updated',
        entityType: 'channel',
        entityId: id,
        metadata: { fields: Object.keys(input) },
      });
      return outcome?.state ? ((await this.repo.findById(tx, id)) ?? updated) : updated;
    });
    await this.inboundChannels.invalidate(id);
    if (input.isActive === false && existing.isActive) await this.disconnect(handler, row, oldSecrets);
    return this.toDto(row);
  }

  /** Before a provider is asked to connect an account: it must not be another inbox's already. */
  private async assertAccountFree(type: string, id: string, externalId: string): Promise<void> {
    const owner = await this.repo.unsafeFindIdByExternalId(type, externalId);
    if (owner && owner !== id) throw accountTaken(type);
  }

  /** Deletes the inbox with its conversations and messages (the foreign keys cascade). */
  async remove(id: string): Promise<TChannel> {
    const existing = await this.load(id);
    await this.disconnect(this.handlerFor(existing.type), existing, this.credentials.open(existing));
    const row = await this.tenantDb.run(async (tx) => {
      if (!(await this.repo.delete(tx, id))) throw notFound('Channel');
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

  /** Asks the provider whether the stored credentials work. */
  async test(id: string): Promise<TChannelTestResult> {
    const row = await this.load(id);
    const handler = this.handlerFor(row.type);
    try {
      return await handler.test(this.context(row, this.credentials.open(row)));
    } catch (err) {
      if (err instanceof AppError) return { ok: false, message: err.message };
      this.logger.warn(`test of channel ${id} (${row.type}) failed: ${(err as Error).message}`);
      return {
        ok: false,
        message: `Could not reach ${PROVIDER_NAMES[row.type as ChannelType]}: ${(err as Error).message}`,
      };
    }
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

  private async load(id: string): Promise<ChannelRow> {
    const row = await this.tenantDb.run((tx) => this.repo.findById(tx, id));
    if (!row) throw notFound('Channel');
    return row;
  }

  private handlerFor(type: string): ChannelTypeHandler {
    const handler = this.types.get(type);
    if (!handler) throw badRequest(`Channel type ${type} is not available on this server`);
    return handler;
  }

  private routing(handler: ChannelTypeHandler, config: Record<string, unknown>, secrets: ChannelSecrets) {
    const token = handler.webhookToken?.(secrets);
    return {
      externalId: handler.externalId?.(config, secrets) ?? null,
      webhookTokenHash: token ? hashWebhookToken(token) : null,
    };
  }

  /** One provider account, one inbox: a second inbox for the same number, page or bot is refused. */
  private async guardUnique<T>(type: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw isUniqueViolation(err) ? accountTaken(type) : err;
    }
  }

  private async connect(handler: ChannelTypeHandler, row: ChannelRow, secrets: ChannelSecrets) {
    const outcome = await handler.connect!(this.context(row, secrets));
    if (!outcome || (!outcome.config && !outcome.state)) return row;
    const updated = await this.tenantDb.run(async (tx) => {
      if (outcome.state) await this.repo.mergeState(tx, row.id, outcome.state);
      return outcome.config
        ? this.repo.update(tx, row.id, { config: { ...row.config, ...outcome.config } })
        : this.repo.findById(tx, row.id);
    });
    await this.inboundChannels.invalidate(row.id);
    return updated ?? row;
  }

  /** A provider that refuses the new inbox (bad token, wrong id) leaves nothing behind. */
  private async connectOrUndo(handler: ChannelTypeHandler, row: ChannelRow, secrets: ChannelSecrets) {
    if (!handler.connect) return row;
    try {
      return await this.connect(handler, row, secrets);
    } catch (err) {
      await this.tenantDb.run((tx) => this.repo.delete(tx, row.id));
      await this.inboundChannels.invalidate(row.id);
      throw err;
    }
  }

  private async disconnect(handler: ChannelTypeHandler, row: ChannelRow, secrets: ChannelSecrets) {
    try {
      await handler.disconnect?.(this.context(row, secrets));
    } catch (err) {
      this.logger.warn(`disconnecting channel ${row.id} (${row.type}) failed: ${(err as Error).message}`);
    }
  }

  private context(row: ChannelRow, secrets: ChannelSecrets): ChannelTypeContext {
    return { row, secrets, publicUrl: this.config.PUBLIC_URL.replace(/\/+$/, '') };
  }

  private toDto(r: ChannelRow): TChannel {
    const secrets = this.credentials.open(r);
    const handler = this.types.get(r.type);
    const ctx = this.context(r, secrets);
    const masked = Object.fromEntries(
      Object.entries(secrets)
        .filter((e): e is [string, string] => typeof e[1] === 'string')
        .map(([k, v]) => [k, maskSecret(v)]),
    );
    return {
      id: r.id,
      type: r.type as ChannelType,
      name: r.name,
      config: r.config,
      credentials: masked,
      details: handler?.details?.(ctx) ?? {},
      isActive: r.isActive,
      autoAssign: r.autoAssign,
      maxOpenPerAgent: r.maxOpenPerAgent,
      webhookUrl: handler?.webhookUrl(ctx) ?? null,
      inboundSecret: secrets.inboundSecret ? maskSecret(secrets.inboundSecret) : null,
      createdAt: r.createdAt.toISOString(),
      updatedAt: r.updatedAt.toISOString(),
    };
  }
}
