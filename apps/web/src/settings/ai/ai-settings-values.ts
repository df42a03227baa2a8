import {
  AI_DEFAULT_MODELS,
  type AiProvider,
  type TAiSettings,
  type TUpdateAiSettingsRequest,
} from '@orbitdesk/shared';
import { topLevelField } from '../../ui/contract-form';

export interface AiSettingsFormValues {
  provider: AiProvider;
  /** Empty: the provider's default model. */
  model: string;
  /** What happens to the stored key: kept, replaced by `apiKey`, or removed. */
  keyAction: 'keep' | 'replace' | 'remove';
  apiKey: string;
  baseUrl: string;
  understandingEnabled: boolean;
}

export const aiSettingsField = topLevelField<AiSettingsFormValues>([
  'provider',
  'model',
  'apiKey',
  'baseUrl',
  'understandingEnabled',
]);

/**
 * A stored model that is its provider's default shows as an empty field with the default as placeholder, so
 * switching the provider then picks the new provider's default instead of keeping a model it does not have.
 */
export function toAiSettingsForm(s: TAiSettings): AiSettingsFormValues {
  return {
    provider: s.provider,
    model: s.model === AI_DEFAULT_MODELS[s.provider] ? '' : s.model,
    keyAction: s.apiKeyLast4 ? 'keep' : 'replace',
    apiKey: '',
    baseUrl: s.baseUrl ?? '',
    understandingEnabled: s.understandingEnabled,
  };
}

/** The PUT body: a key is sent only when typed (omitted keeps the stored one) or removed (null). */
export function toAiSettingsBody(v: AiSettingsFormValues): TUpdateAiSettingsRequest {
  const key = v.apiKey.trim();
  const body: TUpdateAiSettingsRequest = {
    provider: v.provider,
    model: v.model.trim() || AI_DEFAULT_MODELS[v.provider],
    baseUrl: v.baseUrl.trim() || null,
    understandingEnabled: v.understandingEnabled,
  };
  if (v.keyAction === 'remove') body.apiKey = null;
  else if (v.keyAction === 'replace' && key) body.apiKey = key;
  return body;
}
