import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { evaluateIntents } from './evaluation.js';
import { INTENT_MODEL_FILE, trainIntentClassifier } from './intent-model-file.js';

/*
 * Build step (`pnpm build` runs `node dist/local/train.js`): trains the intent classifier on the training split
 * of data/intents.tsv and writes dist/local/intent-model.json, which loadLocalModels() then reads instead of
 * training at start-up. Prints the held-out accuracy so a build log shows what shipped.
 */

const started = performance.now();
const classifier = trainIntentClassifier();
const json = classifier.toJson();
writeFileSync(INTENT_MODEL_FILE, `${JSON.stringify(json)}\n`);
const report = evaluateIntents(classifier);
console.log(
  `intent model: ${report.trainSize} training examples, ${json.features.length} features, ` +
    `held-out accuracy ${report.accuracy.toFixed(3)} on ${report.heldOutSize} examples, ` +
    `${Math.round(performance.now() - started)} ms → ${fileURLToPath(INTENT_MODEL_FILE)}`,
);
