import { evaluateIntents, evaluateLanguages, evaluateSentiment, formatMetricsTable } from './evaluation.js';
import { loadIntentClassifier } from './intent-model-file.js';

/*
 * Prints the local models' measured accuracy as Markdown (the numbers in docs/ai-local-models.md):
 * `node dist/local/evaluate.js` after a build. Add `--errors` to list what each model got wrong.
 */

const showErrors = process.argv.includes('--errors');
const { classifier, source } = loadIntentClassifier();
const intents = evaluateIntents(classifier);
const sentiment = evaluateSentiment();
const languages = evaluateLanguages();

const sections: [string, string, typeof intents | typeof sentiment][] = [
  [
    `Intent (held-out split: ${intents.heldOutSize} of ${intents.heldOutSize + intents.trainSize} examples; model ${source === 'file' ? 'from intent-model.json' : 'trained in memory'})`,
    'intent',
    intents,
  ],
  [`Sentiment (sign with a neutral band, ${sentiment.size} examples)`, 'label', sentiment],
  [
    `Language (${languages.size} messages, ${languages.perClass.length} languages; the ${languages.short.size} of at most 6 words: accuracy ${languages.short.accuracy.toFixed(3)})`,
    'language',
    languages,
  ],
];
for (const [title, heading, report] of sections) {
  console.log(`### ${title}\n\n${formatMetricsTable(report, heading)}\n`);
  if (showErrors) {
    for (const e of report.errors) console.log(`- ${e.expected} → ${e.predicted}: ${e.text}`);
    console.log('');
  }
}
