/** No retry waits longer than this, however many attempts failed before. */
export const MAX_RETRY_DELAY_MS = 3_600_000;

/**
 * Delay before the retry that follows failed attempt number `attemptsMade` (1-based): base, 2×base, 4×base …,
 * at most an hour. With the default 30 s base: 30 s, 1 min, 2 min, 4 min … 1 h, 1 h.
 */
export function retryDelayMs(attemptsMade: number, baseMs: number): number {
  const exponent = Math.max(0, attemptsMade - 1);
  // 2^40 × base is far past the cap; stopping there keeps the arithmetic finite.
  return Math.min(baseMs * 2 ** Math.min(exponent, 40), MAX_RETRY_DELAY_MS);
}

/** When retrying stops: the delivery is failed once its next retry would fall after this moment. */
export function retryDeadline(createdAt: Date, horizonHours: number): number {
  return createdAt.getTime() + horizonHours * 3_600_000;
}
