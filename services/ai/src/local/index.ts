import { embedText } from './embeddings.js';
import type { IntentClassifier } from './intent-classifier.js';
import { loadIntentClassifier } from './intent-model-file.js';
import { detectLanguage } from './language.js';
import type { LocalModels, LocalUnderstanding } from './local-models.js';
import { respond } from './responder.js';
import { sentimentScore } from './sentiment.js';

export * from './local-models.js';

export interface LocalModelOptions {
  /** The clock relative dates ("tomorrow at 3pm") are read against; tests pin it. */
  now?: () => Date;
  /** A classifier to use instead of the built one. */
  intentClassifier?: IntentClassifier;
}

export function createLocalModels(options: LocalModelOptions = {}): LocalModels {
  const classifier = options.intentClassifier ?? loadIntentClassifier().classifier;
  const now = options.now ?? (() => new Date());

  const classify = (text: string): LocalUnderstanding => {
    const prediction = classifier.predict(text);
    return {
      intent: prediction.intent,
      confidence: Math.min(1, Math.max(0, Math.round(prediction.confidence * 1000) / 1000)),
      sentiment: sentimentScore(text),
      language: detectLanguage(text),
    };
  };

  return {
    classify,
    embed: (texts) => texts.map(embedText),
    complete: (request) => respond(request, { classify, now }),
  };
}

let shared: LocalModels | undefined;

/** The process's local models, loaded (or trained) once on first use. */
export function loadLocalModels(): LocalModels {
  shared ??= createLocalModels();
  return shared;
}
