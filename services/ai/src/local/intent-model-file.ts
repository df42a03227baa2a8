import { existsSync, readFileSync } from 'node:fs';
import { readIntentExamples, splitExamples } from './dataset.js';
import { IntentClassifier } from './intent-classifier.js';

/*
 * Where the trained intent model lives: intent-model.json next to the compiled code (dist/local), written by
 * `node dist/local/train.js` during the build. Without it (vitest runs the sources) the model is trained in
 * memory from services/ai/data, which takes a fraction of a second.
 */

export const INTENT_MODEL_FILE = new URL('./intent-model.json', import.meta.url);

/** Trains on the training split only; the held-out split stays unseen for evaluation. */
export function trainIntentClassifier(): IntentClassifier {
  return IntentClassifier.train(splitExamples(readIntentExamples()).train);
}

export function loadIntentClassifier(): { classifier: IntentClassifier; source: 'file' | 'trained' } {
  if (existsSync(INTENT_MODEL_FILE)) {
    try {
      const json: unknown = JSON.parse(readFileSync(INTENT_MODEL_FILE, 'utf8'));
      return { classifier: IntentClassifier.fromJson(json), source: 'file' };
    } catch {
      // A model file from another feature version, or a damaged one: the data is right here, train afresh.
    }
  }
  return { classifier: trainIntentClassifier(), source: 'trained' };
}
