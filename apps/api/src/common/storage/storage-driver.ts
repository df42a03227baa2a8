import type { Readable } from 'node:stream';

export interface StoragePutOptions {
  contentType: string;
  /** The exact length when known up front; a body of another length fails the put. */
  size?: number;
}

export interface StoredObject {
  stream: Readable;
  size: number;
  /** As recorded by the backend, where it records one (S3 does, local disk does not). */
  contentType?: string;
}

/**
 * Where attachment bytes live. An abstract class rather than an interface so it can be the injection token:
 * services ask for `StorageDriver` and StorageModule decides which backend answers (STORAGE_TYPE).
 * Keys are validated by every driver (see storage-key.ts); a key that is not one the app minted is refused.
 */
export abstract class StorageDriver {
  /** Stores the whole stream under `key`; nothing is visible under the key unless the put succeeds. */
  abstract put(key: string, body: Readable, options: StoragePutOptions): Promise<{ size: number }>;
  /** Throws StorageObjectNotFoundError when nothing is stored under `key`. */
  abstract get(key: string): Promise<StoredObject>;
  /** Idempotent: deleting a missing object succeeds. */
  abstract delete(key: string): Promise<void>;
  abstract exists(key: string): Promise<boolean>;
}

export class StorageObjectNotFoundError extends Error {
  constructor(readonly key: string) {
    super(`no stored object under key ${key}`);
  }
}
