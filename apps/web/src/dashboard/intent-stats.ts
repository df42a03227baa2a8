import { MESSAGE_INTENTS, type MessageIntent, type TIntentStats } from '@orbitdesk/shared';

/** Every intent in the contract's order with its count (zero when absent), so the chart's bars never move. */
export function intentSeries(stats: TIntentStats): { intent: MessageIntent; count: number }[] {
  const counts = new Map(stats.intents.map((i) => [i.intent, i.count]));
  return MESSAGE_INTENTS.map((intent) => ({ intent, count: counts.get(intent) ?? 0 }));
}

/** The last `days` days up to now, as the `from`/`to` query of /analytics/intents. */
export function lastDays(days: number, now: Date): { from: string; to: string } {
  const from = new Date(now.getTime() - days * 24 * 60 * 60 * 1000);
  return { from: from.toISOString(), to: now.toISOString() };
}
