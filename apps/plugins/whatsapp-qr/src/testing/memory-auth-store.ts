import type { AuthKeyStore } from '../auth-state.js';

/** An AuthKeyStore in memory, for the unit tests. */
export class MemoryAuthKeyStore implements AuthKeyStore {
  readonly values = new Map<string, string>();

  read(keys: string[]): Promise<Map<string, string>> {
    const found = new Map<string, string>();
    for (const key of keys) {
      const value = this.values.get(key);
      if (value !== undefined) found.set(key, value);
    }
    return Promise.resolve(found);
  }

  write(entries: Map<string, string | null>): Promise<void> {
    for (const [key, value] of entries) {
      if (value === null) this.values.delete(key);
      else this.values.set(key, value);
    }
    return Promise.resolve();
  }

  clear(): Promise<void> {
    this.values.clear();
    return Promise.resolve();
  }
}
