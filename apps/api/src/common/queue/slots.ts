/**
 * At most `size` tasks at a time; the others wait their turn in call order. For work inside one job that must not
 * multiply the process's calls to an outside service (a job of several messages still makes as many AI calls at
 * once as the worker's concurrency allowed when each message had a job).
 */
export class Slots {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly size: number) {
    if (!(size >= 1)) throw new Error(`Slots needs a size of at least 1, got ${size}`);
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.running >= this.size) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.running++;
    try {
      return await task();
    } finally {
      // The freed slot passes straight to the next waiter, so `running` never drops and rises again in between.
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }
}
