import { Injectable, Logger } from '@nestjs/common';
import {
  AI_DEFAULT_MODELS,
  type AiProvider,
  type TAiSettings,
  type TAiSettingsTestResponse,
  type TUpdateAiSettingsRequest,
} from '@orbitdesk/shared';
import { AiServiceClient, AiServiceError } from '../../common/ai/ai-service.client.js';
import { SecretBox } from '../../common/crypto/secret-box.js';
import { SafeHttpClient } from '../../common/http-client/safe-http-client.js';
import { badRequest } from '../../common/http/errors.js';
import { requestContext } from '../../common/tenancy/request-context.js';
import { TenantDb } from '../../common/tenancy/tenant-db.service.js';
import { AuditService } from '../audit/audit.service.js';
import { AiProviderResolver } from './ai-provider.resolver.js';
import { AiSettingsRepository, type AiSettingsRow, type AiSettingsValues } from './ai-settings.repository.js';
import { UnderstandingFlag } from './understanding-flag.js';

/** How providers are named to people (error messages, the test's answer). */
export const AI_PROVIDER_LABELS: Record<AiProvider, string> = {
  local: 'The local model',
  openai: 'OpenAI',
  anthropic: 'Anthropic',
  gemini: 'Gemini',
  mistral: 'Mistral',
  deepseek: 'DeepSeek',
  xai: 'xAI',
};

/** The settings test waits this long at most: it is a button an admin is looking at. */
const TEST_TIMEOUT_MS = 30_000;

const toDto = (row: AiSettingsRow | undefined): TAiSettings =>
  row
    ? {
        provider: row.provider,
        model: row.model,
        apiKeyLast4: row.apiKeyLast4,
        baseUrl: row.baseUrl,
        understandingEnabled: row.understandingEnabled,
        updatedAt: row.updatedAt.toISOString(),
      }
    : {
        provider: 'local',
        model: AI_DEFAULT_MODELS.local,
        apiKeyLast4: null,
        baseUrl: null,
        understandingEnabled: true,
        updatedAt: null,
      };

/** The AI service prefixes failures with its route and status; the admin wants the provider's own words. */
const providerWords = (err: unknown): string => {
  const message = err instanceof Error ? err.message : String(err);
  return err instanceof AiServiceError && err.status > 0
    ? message.replace(/^AI service \S+ failed \(\d+\): /, '')
    : message;
};

@Injectable()
export class AiSettingsService {
  private readonly logger = new Logger('AiSettingsService');

  constructor(
    private readonly tenantDb: TenantDb,
    private readonly repo: AiSettingsRepository,
    private readonly resolver: AiProviderResolver,
    private readonly ai: AiServiceClient,
    private readonly secrets: SecretBox,
    private readonly http: SafeHttpClient,
    private readonly audit: AuditService,
    private readonly flag: UnderstandingFlag,
  ) {}

  get(): Promise<TAiSettings> {
    const tenantId = requestContext.tenantId();
    return this.tenantDb.run(async (tx) => toDto(await this.repo.find(tx, tenantId)));
  }

  /**
   * Saves the settings. The key is sealed bound to the tenant (the resolver unseals it the same way) and only its
   * last 4 characters are kept in the clear; it never reaches a log or the audit entry.
   */
  async update(input: TUpdateAiSettingsRequest): Promise<TAiSettings> {
    const tenantId = requestContext.tenantId();
    const { provider } = input;
    // The AI service calls this address with the tenant's key: refuse internal addresses unless the operator
    // opened private networks (OUTBOUND_ALLOW_PRIVATE_NETWORKS, applied by SafeHttpClient).
    if (provider !== 'local' && input.baseUrl)
      await this.http.assertAllowedUrlField(input.baseUrl, 'body.baseUrl');
    const saved = await this.tenantDb.run(async (tx) => {
      const current = await this.repo.find(tx, tenantId);
      const sameProvider = current?.provider === provider;
      const values: AiSettingsValues = {
        provider,
        model: input.model ?? (sameProvider ? current.model : AI_DEFAULT_MODELS[provider]),
        ...this.keyOf(input, current, tenantId),
        // A base URL belongs to the provider it was set for, like the key.
        baseUrl:
          provider === 'local'
            ? null
            : input.baseUrl !== undefined
              ? input.baseUrl
              : sameProvider
                ? current.baseUrl
                : null,
        understandingEnabled: input.understandingEnabled ?? current?.understandingEnabled ?? true,
      };
      if (provider !== 'local' && !values.apiKeySealed) {
        throw badRequest(`${AI_PROVIDER_LABELS[provider]} needs an API key`);
      }
      const row = await this.repo.upsert(tx, tenantId, values);
      await this.audit.record(tx, {
        action: 'ai_settings.updated',
        entityType: 'ai_settings',
        entityId: tenantId,
        metadata: {
          provider: row.provider,
          model: row.model,
          baseUrl: row.baseUrl,
          understandingEnabled: row.understandingEnabled,
          apiKeyChanged: (current?.apiKeySealed ?? null) !== row.apiKeySealed,
        },
      });
      return row;
    });
    await this.flag.changed(tenantId);
    return toDto(saved);
  }

  /** One tiny completion through the AI service with the stored settings; a refusal is an answer, not a 5xx. */
  async test(): Promise<TAiSettingsTestResponse> {
    const tenantId = requestContext.tenantId();
    const settings = await this.tenantDb.run((tx) => this.resolver.settings(tx, tenantId));
    const { provider, model } = settings;
    try {
      const config = await this.resolver.chatConfigFor(tenantId);
      const answer = await this.ai.chatCompletion(
        tenantId,
        {
          provider: config,
          messages: [{ role: 'user', content: 'Reply with the single word: ok' }],
          maxTokens: 16,
          temperature: 0,
        },
        AbortSignal.timeout(TEST_TIMEOUT_MS),
      );
      const text = answer.text.trim().slice(0, 200);
      return {
        ok: true,
        provider,
        model: answer.model,
        message: `${AI_PROVIDER_LABELS[provider]} answered${text ? `: "${text}"` : ' (with no text)'}`,
      };
    } catch (err) {
      this.logger.warn(`AI settings test failed for ${provider}/${model}: ${(err as Error).message}`);
      return { ok: false, provider, model, message: providerWords(err) };
    }
  }

  /** The stored key after this change: a new one, removed, kept (same provider), or dropped (provider changed). */
  private keyOf(
    input: TUpdateAiSettingsRequest,
    current: AiSettingsRow | undefined,
    tenantId: string,
  ): Pick<AiSettingsValues, 'apiKeySealed' | 'apiKeyLast4'> {
    const none = { apiKeySealed: null, apiKeyLast4: null };
    // The local model takes no key: one sent with it is not kept.
    if (input.provider === 'local' || input.apiKey === null) return none;
    if (input.apiKey !== undefined) {
      return {
        apiKeySealed: this.secrets.encrypt(input.apiKey, tenantId),
        apiKeyLast4: input.apiKey.slice(-4),
      };
    }
    if (current?.provider === input.provider && current.apiKeySealed) {
      return { apiKeySealed: current.apiKeySealed, apiKeyLast4: current.apiKeyLast4 };
    }
    return none;
  }
}
