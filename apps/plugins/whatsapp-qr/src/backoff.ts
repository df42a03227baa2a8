export interface BackoffOptions {
  /** Delay before the first retry, before jitter. */
  baseMs: number;
  /** No delay is ever longer than this, jitter included. */
  maxMs: number;
  /** A number in [0, 1); injectable so tests are deterministic. */
  random?: () => number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 1_000, maxMs: 5 * 60_000 };

/**
 * How long to wait before reconnect attempt `attempt` (0 for the first): the base doubled per attempt, capped,
 * then "equal jitter" (half fixed, half random). The fixed half keeps a flapping link from hammering WhatsApp;
 * the random half keeps many inboxes that dropped together (a worker restart, a network blip) from reconnecting
 * in lockstep.
 */
export function reconnectDelay(attempt: number, options: BackoffOptions = DEFAULT_BACKOFF): number {
  const random = options.random ?? Math.random;
  // 2^attempt overflows to Infinity long before it matters; the cap applies first.
  const exponential = Math.min(options.maxMs, options.baseMs * 2 ** Math.max(0, attempt));
  const half = exponential / 2;
  return Math.round(half + half * random());
}
