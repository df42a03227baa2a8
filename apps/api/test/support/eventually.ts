/**
 * Retries `fn` until it returns without throwing (an `expect` inside it), or the time runs out, then throws the
 * last failure. For work that happens after an answer (webhooks acknowledged first, stored right after).
 */
export async function eventually<T>(fn: () => Promise<T> | T, timeoutMs = 5_000, everyMs = 25): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await fn();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, everyMs));
    }
  }
}
