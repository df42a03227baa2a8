import { describe, expect, it } from 'vitest';
import { languageLabel, NEUTRAL_BAND, sentimentView } from './understanding';

describe('sentimentView', () => {
  it('reads clear scores as positive or negative with a signed value', () => {
    expect(sentimentView(0.62)).toEqual({ tone: 'positive', mark: '+', value: '+0.62' });
    expect(sentimentView(-0.4)).toEqual({ tone: 'negative', mark: '−', value: '−0.40' });
  });

  it('treats the band around zero as neutral and clamps out-of-range scores', () => {
    expect(sentimentView(NEUTRAL_BAND - 0.01).tone).toBe('neutral');
    expect(sentimentView(-(NEUTRAL_BAND - 0.01)).tone).toBe('neutral');
    expect(sentimentView(0)).toEqual({ tone: 'neutral', mark: '±', value: '0.00' });
    expect(sentimentView(3).value).toBe('+1.00');
  });
});

describe('languageLabel', () => {
  it('shows the code in capitals, and nothing when undetermined', () => {
    expect(languageLabel('de')).toBe('DE');
    expect(languageLabel('und')).toBeNull();
    expect(languageLabel('')).toBeNull();
  });
});
