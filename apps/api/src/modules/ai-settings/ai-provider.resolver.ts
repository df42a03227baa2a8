import { Injectable } from '@nestjs/common';
import {
  AI_DEFAULT_MODELS,
  AI_EMBEDDING_PROVIDERS,
  type AiProvider,
  type TAiProviderConfig,
} from '@orbitdesk/shared';
import { SecretBox } from '../../common/crypto/secret-box.js';
import { Database, type TenantTx } from '../../db/database.js';
import { AiSettingsRepository, type AiSettingsRow } from './ai-settings.repository.js';

/** Embedding models per provider (the chat model names do not embed). */
const EMBEDDING_MODELS: Record<(typeof AI_EMBEDDING_PROVIDERS)[number], string> = {
  local: 'hash-384',
  openai: 'text-embedding-3-small',
  gemini: 'text-embedding-004',
  mistral: 'mistral-embed',
};

export interface ResolvedAiSettings {
  row: AiSettingsRow | undefined;
  provider: AiProvider;
  model: string;
  understandingEnabled: boolean;
}

/**
 * Turns a workspace's stored settings (and an agent's override) into the provider config passed to the AI service
 * per request, unsealing the key only for that request. Works inside a tenant transaction, so the worker and the
 * API use it the same way.
 */
@Injectable()
export class AiProviderResolver {
  constructor(
    private readonly repo: AiSettingsRepository,
    private readonly secrets: SecretBox,
    private readonly db: Database,
  ) {}

  async settings(tx: TenantTx, tenantId: string): Promise<ResolvedAiSettings> {
    const row = await this.repo.find(tx, tenantId);
    const provider = row?.provider ?? 'local';
    return {
      row,
      provider,
      model: row?.model ?? AI_DEFAULT_MODELS[provider],
      understandingEnabled: row?.understandingEnabled ?? true,
    };
  }

  /** The chat provider for a tenant, or for an agent that names its own provider and model. */
  async chatConfig(
    tx: TenantTx,
    tenantId: string,
    override?: { provider: AiProvider | null; model: string | null },
  ): Promise<TAiProviderConfig> {
    const s = await this.settings(tx, tenantId);
    const provider = override?.provider ?? s.provider;
    const model =
      override?.model ?? (override?.provider && override.provider !== s.provider ? undefined : s.model);
    return this.build(tenantId, s.row, provider, model ?? AI_DEFAULT_MODELS[provider]);
  }

  /**
   * The embedding provider for a new knowledge base: the workspace's provider when it can embed and has a key,
   * otherwise `local` (which needs neither key nor network).
   */
  async embeddingConfig(tx: TenantTx, tenantId: string): Promise<TAiProviderConfig> {
    const s = await this.settings(tx, tenantId);
    const canEmbed = (AI_EMBEDDING_PROVIDERS as readonly string[]).includes(s.provider);
    const provider = canEmbed && (s.provider === 'local' || s.row?.apiKeySealed) ? s.provider : 'local';
    return this.build(tenantId, s.row, provider, EMBEDDING_MODELS[provider as keyof typeof EMBEDDING_MODELS]);
  }

  /**
   * The config that embeds with the model named by a knowledge base (`provider:model`), so queries land in the
   * same vector space as the stored chunks.
   */
  async embeddingConfigFor(
    tx: TenantTx,
    tenantId: string,
    embeddingModel: string,
  ): Promise<TAiProviderConfig> {
    const [provider, ...rest] = embeddingModel.split(':');
    const s = await this.settings(tx, tenantId);
    return this.build(tenantId, s.row, provider as AiProvider, rest.join(':'));
  }

  /** Same as chatConfig in its own tenant transaction (for callers outside one). */
  chatConfigFor(
    tenantId: string,
    override?: { provider: AiProvider | null; model: string | null },
  ): Promise<TAiProviderConfig> {
    return this.db.tenantTransaction(tenantId, (tx) => this.chatConfig(tx, tenantId, override));
  }

  private build(
    tenantId: string,
    row: AiSettingsRow | undefined,
    provider: AiProvider,
    model: string,
  ): TAiProviderConfig {
    if (provider === 'local') return { provider, model };
    // The stored key belongs to the workspace's provider; another provider named by an agent has no key here
    // and the AI service answers that plainly.
    const apiKey =
      row?.apiKeySealed && row.provider === provider
        ? this.secrets.decrypt(row.apiKeySealed, tenantId)
        : undefined;
    return {
      provider,
      model,
      ...(apiKey ? { apiKey } : {}),
      ...(row?.baseUrl && row.provider === provider ? { baseUrl: row.baseUrl } : {}),
    };
  }
}
