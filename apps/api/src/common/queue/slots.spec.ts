import { describe, expect, it } from 'vitest';
import { Slots } from './slots.js';

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('Slots', () => {
  it('runs at most `size` tasks at once and starts the waiting ones in call order', async () => {
    const slots = new Slots(2);
    let active = 0;
    let peak = 0;
    const started: number[] = [];
    const release: (() => void)[] = [];
    const results = Array.from({ length: 5 }, (_, i) =>
      slots.run(async () => {
        started.push(i);
        active++;
        peak = Math.max(peak, active);
        await new Promise<void>((resolve) => release.push(resolve));
        active--;
        return i * 10;
      }),
    );
    await tick();
    expect(started).toEqual([0, 1]);
    release[1]!();
    await tick();
    expect(started).toEqual([0, 1, 2]);
    for (let i = 0; i < 5; i++) {
      release[i]?.();
      await tick();
    }
    for (const r of release) r();
    expect(await Promise.all(results)).toEqual([0, 10, 20, 30, 40]);
    expect(peak).toBe(2);
    expect(started).toEqual([0, 1, 2, 3, 4]);
  });

  it('frees the slot of a task that throws', async () => {
    const slots = new Slots(1);
    await expect(slots.run(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await slots.run(() => Promise.resolve('after'))).toBe('after');
  });

  it('refuses a size below one', () => {
    expect(() => new Slots(0)).toThrow(/at least 1/);
  });
});
