/** `work`, or a rejection naming `what` if Redis has not answered within `ms` (a hung Redis must not hang boot). */
export async function redisWithin<T>(work: Promise<T>, ms: number, what?: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${what ? `${what}: ` : ''}no answer from Redis within ${ms} ms`)),
      ms,
    );
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
