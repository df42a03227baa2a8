import { AI_DEFAULT_MODELS, MESSAGE_INTENTS, type TAiUsage, type TClassifyResponse } from '@orbitdesk/shared';
import type { FastifyBaseLogger } from 'fastify';
import { z } from 'zod';
import type { LocalModels } from '../local/local-models.js';
import type { ProviderConfig } from '../providers/create-provider.js';
import type { AiProviderClient } from '../providers/provider.js';

const ZLlmClassification = z.object({
  intent: z.enum(MESSAGE_INTENTS),
  confidence: z.number().min(0).max(1),
  sentiment: z.number().min(-1).max(1),
});

export const CLASSIFY_SYSTEM_PROMPT = [
  'You classify one customer message sent to a support inbox.',
  `intent is exactly one of: ${MESSAGE_INTENTS.join(', ')}.`,
  'confidence is how sure you are of the intent, from 0 to 1.',
  'sentiment is the tone of the message, from -1 (very negative) through 0 (neutral) to 1 (very positive).',
  'Reply with only a JSON object, no other text: {"intent": "...", "confidence": 0.0, "sentiment": 0.0}',
].join('\n');

/** The JSON object in a model's reply, tolerating code fences and a sentence around it. */
export function parseLlmClassification(text: string): z.infer<typeof ZLlmClassification> | null {
  const start = text.indexOf('{');
  const end = text.lastIndexOf('}');
  if (start < 0 || end <= start) return null;
  try {
    const parsed = ZLlmClassification.safeParse(JSON.parse(text.slice(start, end + 1)));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/**
 * Intent, confidence and sentiment from the tenant's model; language always from the local detector (franc),
 * which is better at it than asking. If the model fails or answers something that is not the JSON we asked for,
 * the local classifier decides, and `model` says so: understanding an inbound message must never fail.
 */
export async function classifyMessage(
  text: string,
  config: ProviderConfig,
  provider: AiProviderClient,
  localModels: LocalModels,
  log: FastifyBaseLogger,
): Promise<TClassifyResponse> {
  const local = localModels.classify(text);
  const noUsage: TAiUsage = { inputTokens: 0, outputTokens: 0 };
  if (config.provider === 'local') {
    return { ...local, model: `local:${config.model}`, usage: noUsage };
  }
  const fallback = (why: string, detail: string, usage: TAiUsage): TClassifyResponse => {
    log.warn({ provider: config.provider, model: config.model, detail }, 'classification fell back to local');
    return {
      ...local,
      model: `local:${AI_DEFAULT_MODELS.local} (fallback: ${config.provider}:${config.model} ${why})`,
      usage,
    };
  };
  let reply;
  try {
    reply = await provider.chat({
      model: config.model,
      system: CLASSIFY_SYSTEM_PROMPT,
      messages: [{ role: 'user', content: text }],
      temperature: 0,
      maxTokens: 200,
    });
  } catch (err) {
    return fallback('failed', (err as Error).message, noUsage);
  }
  const decided = parseLlmClassification(reply.text);
  if (!decided) return fallback('answered invalid JSON', reply.text.slice(0, 200), reply.usage);
  return {
    ...decided,
    language: local.language,
    model: `${config.provider}:${config.model}`,
    usage: reply.usage,
  };
}
