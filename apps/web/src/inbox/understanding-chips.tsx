import type { TMessageUnderstanding } from '@orbitdesk/shared';
import { INTENT_COLORS, INTENT_LABELS } from '../ai/ai-labels';
import { languageLabel, sentimentView } from './understanding';

const SENTIMENT_TONES = {
  positive: 'bg-emerald-100 text-emerald-800 dark:bg-emerald-950 dark:text-emerald-200',
  negative: 'bg-red-100 text-red-800 dark:bg-red-950 dark:text-red-200',
  neutral: 'bg-slate-100 text-slate-700 dark:bg-slate-800 dark:text-slate-300',
};
const chip = 'rounded-full px-1.5 py-px text-[10px] font-medium leading-4';

/** What the AI made of an inbound message: its intent, sentiment and language, as small chips under it. */
export function UnderstandingChips({ understanding: u }: { understanding: TMessageUnderstanding }) {
  const sentiment = sentimentView(u.sentiment);
  const language = languageLabel(u.language);
  return (
    <div
      className="mt-1 flex flex-wrap items-center gap-1"
      data-testid="understanding"
      data-intent={u.intent}
      data-sentiment={sentiment.tone}
      data-language={u.language}
    >
      <span
        className={`${chip} ${INTENT_COLORS[u.intent].chip}`}
        title={`Intent: ${INTENT_LABELS[u.intent]} (${Math.round(u.confidence * 100)}% sure, ${u.model})`}
        data-testid="understanding-intent"
      >
        {INTENT_LABELS[u.intent]}
      </span>
      <span
        className={`${chip} ${SENTIMENT_TONES[sentiment.tone]}`}
        title={`Sentiment ${sentiment.value} (from −1 to +1)`}
        aria-label={`Sentiment ${sentiment.tone}, ${sentiment.value}`}
        data-testid="understanding-sentiment"
      >
        {sentiment.mark} {sentiment.tone}
      </span>
      {language && (
        <span
          className={`${chip} bg-slate-100 font-mono text-slate-700 dark:bg-slate-800 dark:text-slate-300`}
          title={`Language: ${u.language}`}
          data-testid="understanding-language"
        >
          {language}
        </span>
      )}
    </div>
  );
}
