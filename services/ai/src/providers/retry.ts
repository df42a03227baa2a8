import { setTimeout as sleep } from 'node:timers/promises';
import { ProviderError } from './provider.js';

/** A provider failure, with how long the provider asked us to wait before trying again. */
export interface ClassifiedFailure {
  error: ProviderError;
  retryAfterMs?: number;
}

const BASE_DELAY_MS = 500;
const MAX_DELAY_MS = 8_000;
/** A provider asking for a longer pause than this is not worth holding a customer's reply for. */
const MAX_RETRY_AFTER_MS = 20_000;

export function backoffDelayMs(attempt: number, retryAfterMs?: number): number {
  if (retryAfterMs !== undefined && retryAfterMs >= 0 && retryAfterMs <= MAX_RETRY_AFTER_MS) {
    return retryAfterMs;
  }
  const exponential = Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** attempt);
  // Jitter keeps many tenants' retries from hitting a recovering provider in the same instant.
  return Math.round(exponential * (0.75 + Math.random() * 0.5));
}

/** Reads `retry-after-ms` (OpenAI) or `retry-after` (seconds or an HTTP date) from a response's headers. */
export function retryAfterFromHeaders(headers: Headers | undefined): number | undefined {
  if (!headers) return undefined;
  const ms = Number.parseFloat(headers.get('retry-after-ms') ?? '');
  if (Number.isFinite(ms)) return ms;
  const value = headers.get('retry-after');
  if (!value) return undefined;
  const seconds = Number.parseFloat(value);
  if (Number.isFinite(seconds)) return seconds * 1000;
  const date = Date.parse(value);
  return Number.isFinite(date) ? Math.max(0, date - Date.now()) : undefined;
}

/**
 * Runs one provider call, retrying on 429 and 5xx (the failures that pass) up to `maxRetries` times with
 * exponential backoff, or the pause the provider asked for. Anything else fails at once. The SDKs' own retry
 * loops are switched off: they also retry 408, 409 and dropped connections, which is not what we promise.
 */
export async function withRetries<T>(
  call: () => Promise<T>,
  maxRetries: number,
  classify: (err: unknown) => ClassifiedFailure,
  signal?: AbortSignal,
): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await call();
    } catch (err) {
      const failure = classify(err);
      if (!failure.error.retryable || attempt >= maxRetries || signal?.aborted) {
        if (failure.error.retryable && attempt > 0) {
          throw new ProviderError(
            `${failure.error.message} (after ${attempt + 1} attempts)`,
            failure.error.status,
            true,
          );
        }
        throw failure.error;
      }
      try {
        await sleep(backoffDelayMs(attempt, failure.retryAfterMs), undefined, { signal });
      } catch {
        throw failure.error;
      }
    }
  }
}
