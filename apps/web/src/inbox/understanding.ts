/** Below this magnitude a sentiment reads as neutral: the classifier's scores hover around zero for plain text. */
export const NEUTRAL_BAND = 0.15;

export interface SentimentView {
  tone: 'positive' | 'negative' | 'neutral';
  /** Short mark for the chip: +, − or ±. */
  mark: string;
  /** The score with its sign and two decimals, for the hover text. */
  value: string;
}

export function sentimentView(score: number): SentimentView {
  const clamped = Math.max(-1, Math.min(1, score));
  const value = `${clamped > 0 ? '+' : clamped < 0 ? '−' : ''}${Math.abs(clamped).toFixed(2)}`;
  if (clamped >= NEUTRAL_BAND) return { tone: 'positive', mark: '+', value };
  if (clamped <= -NEUTRAL_BAND) return { tone: 'negative', mark: '−', value };
  return { tone: 'neutral', mark: '±', value };
}

/** `und` (undetermined) means the text was too short to tell: no chip rather than a meaningless code. */
export const languageLabel = (code: string): string | null =>
  code && code !== 'und' ? code.toUpperCase() : null;
