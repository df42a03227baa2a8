import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { access, mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { dirname, isAbsolute, resolve, sep } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { assertStorageKey, InvalidStorageKeyError } from './storage-key.js';
import {
  StorageObjectNotFoundError,
  type StorageDriver,
  type StoragePutOptions,
  type StoredObject,
} from './storage-driver.js';

// src/common/storage and dist/common/storage sit at the same depth, so this is apps/api from both.
const API_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** STORAGE_LOCAL_DIR as an absolute path; relative values are taken from apps/api, whatever the working directory. */
export function resolveStorageDir(dir: string): string {
  return isAbsolute(dir) ? resolve(dir) : resolve(API_ROOT, dir);
}

const isNotFound = (err: unknown) => (err as NodeJS.ErrnoException).code === 'ENOENT';

/** Files on local disk under one root directory (STORAGE_TYPE=local). */
export class LocalStorageDriver implements StorageDriver {
  private readonly root: string;

  constructor(root: string) {
    this.root = resolve(root);
  }

  async put(key: string, body: Readable, options: StoragePutOptions): Promise<{ size: number }> {
    const path = this.pathOf(key);
    await mkdir(dirname(path), { recursive: true, mode: 0o700 });
    // Written beside the target and renamed into place, so a failed or oversized upload never leaves a partial
    // file under the real key.
    const partial = `${path}.${randomBytes(6).toString('hex')}.part`;
    try {
      await pipeline(body, createWriteStream(partial, { flags: 'wx', mode: 0o600 }));
      const { size } = await stat(partial);
      if (options.size !== undefined && size !== options.size) {
        throw new Error(`stored ${size} bytes but ${options.size} were announced`);
      }
      await rename(partial, path);
      return { size };
    } catch (err) {
      await rm(partial, { force: true });
      throw err;
    }
  }

  async get(key: string): Promise<StoredObject> {
    const path = this.pathOf(key);
    try {
      // One open file for both the size and the bytes, so a concurrent delete cannot make them disagree.
      const handle = await open(path, 'r');
      const { size } = await handle.stat();
      return { stream: handle.createReadStream(), size };
    } catch (err) {
      if (isNotFound(err)) throw new StorageObjectNotFoundError(key);
      throw err;
    }
  }

  async delete(key: string): Promise<void> {
    await rm(this.pathOf(key), { force: true });
  }

  async exists(key: string): Promise<boolean> {
    try {
      await access(this.pathOf(key));
      return true;
    } catch (err) {
      if (isNotFound(err)) return false;
      throw err;
    }
  }

  /** The key's file; the shape check already rules out traversal, the prefix check is the second wall. */
  private pathOf(key: string): string {
    assertStorageKey(key);
    const path = resolve(this.root, ...key.split('/'));
    if (!path.startsWith(this.root + sep)) throw new InvalidStorageKeyError(key);
    return path;
  }
}
