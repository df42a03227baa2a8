import { AI_DEFAULT_MODELS, ZUpdateAiSettingsRequest, type TAiSettings } from '@orbitdesk/shared';
import { describe, expect, it } from 'vitest';
import { toAiSettingsBody, toAiSettingsForm } from './ai-settings-values';

const stored: TAiSettings = {
  provider: 'openai',
  model: AI_DEFAULT_MODELS.openai,
  apiKeyLast4: 'x9Zq',
  baseUrl: null,
  understandingEnabled: true,
  updatedAt: '2026-01-01T00:00:00.000Z',
};

describe('AI settings form values', () => {
  it('shows a default model as empty so another provider gets its own default', () => {
    const form = toAiSettingsForm(stored);
    expect(form.model).toBe('');
    expect(form.keyAction).toBe('keep');
    const body = toAiSettingsBody({ ...form, provider: 'anthropic' });
    expect(body.model).toBe(AI_DEFAULT_MODELS.anthropic);
    expect('apiKey' in body).toBe(false);
    expect(ZUpdateAiSettingsRequest.safeParse(body).success).toBe(true);
  });

  it('keeps a chosen model and sends an empty base URL as null', () => {
    const form = toAiSettingsForm({ ...stored, model: 'gpt-4.1', baseUrl: 'https://gw.example.test/v1' });
    expect(form.model).toBe('gpt-4.1');
    expect(toAiSettingsBody(form)).toMatchObject({ model: 'gpt-4.1', baseUrl: 'https://gw.example.test/v1' });
    expect(toAiSettingsBody({ ...form, baseUrl: '  ' }).baseUrl).toBeNull();
  });

  it('sends a typed key, null to remove the stored one, and nothing to keep it', () => {
    const form = toAiSettingsForm(stored);
    expect(toAiSettingsBody({ ...form, keyAction: 'replace', apiKey: ' sk-new-key-123 ' }).apiKey).toBe(
      'sk-new-key-123',
    );
    expect(toAiSettingsBody({ ...form, keyAction: 'remove' }).apiKey).toBeNull();
    // "Replace" clicked but nothing typed keeps what is stored rather than sending an empty key.
    expect('apiKey' in toAiSettingsBody({ ...form, keyAction: 'replace', apiKey: '' })).toBe(false);
    // A key typed and then "Keep the stored key" chosen is not sent.
    expect('apiKey' in toAiSettingsBody({ ...form, keyAction: 'keep', apiKey: 'sk-typed-123' })).toBe(false);
  });

  it('starts without a stored key in replace mode, and a too-short key fails the contract', () => {
    const form = toAiSettingsForm({ ...stored, apiKeyLast4: null });
    expect(form.keyAction).toBe('replace');
    const parsed = ZUpdateAiSettingsRequest.safeParse(toAiSettingsBody({ ...form, apiKey: 'short' }));
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.path).toEqual(['apiKey']);
  });
});
