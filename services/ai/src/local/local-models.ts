import type { MessageIntent } from '@orbitdesk/shared';
import type { ProviderChatRequest, ProviderChatResult } from '../providers/provider.js';

/*
 * The offline `local` provider's models, as the rest of the AI service sees them. Everything here runs in-process
 * with no key and no network: the intent classifier is trained at build time from services/ai/data, sentiment
 * is lexicon-based, language detection is franc, embeddings are feature-hashed, and `complete` is a deterministic
 * responder (extractive answers from knowledge, rule-based tool planning). See docs/ai-local-models.md.
 */

export const LOCAL_EMBEDDING_MODEL = 'local:hash-384';
export const LOCAL_EMBEDDING_DIMENSIONS = 384;

export interface LocalUnderstanding {
  intent: MessageIntent;
  /** Probability of the chosen intent, 0..1. */
  confidence: number;
  /** -1 (very negative) .. 1 (very positive). */
  sentiment: number;
  /** ISO 639-1, or `und`. */
  language: string;
}

export interface LocalModels {
  classify(text: string): LocalUnderstanding;
  /** Unit-length vectors of LOCAL_EMBEDDING_DIMENSIONS, one per text. */
  embed(texts: string[]): number[][];
  /** The offline chat model: same request/response shape as every remote provider. */
  complete(request: ProviderChatRequest): ProviderChatResult;
}
