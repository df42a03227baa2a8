import { randomUUID } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalStorageDriver, resolveStorageDir } from './local-storage.driver.js';
import { StorageObjectNotFoundError } from './storage-driver.js';
import { assertStorageKey, attachmentStorageKey, InvalidStorageKeyError } from './storage-key.js';

const tenant = '0b6f7c1e-2a4d-4c8e-9f10-1234567890ab';
const id = 'f47ac10b-58cc-4372-a567-0e02b2c3d479';
const valid = `${tenant}/2025/03/${id}`;

describe('storage keys', () => {
  it('are `${tenantId}/${yyyy}/${mm}/${id}` in UTC', () => {
    expect(attachmentStorageKey(tenant, id, new Date('2025-03-31T23:30:00-05:00'))).toBe(
      `${tenant}/2025/04/${id}`,
    );
    expect(attachmentStorageKey(tenant, id, new Date('2025-12-01T00:00:00Z'))).toBe(
      `${tenant}/2025/12/${id}`,
    );
    expect(() => assertStorageKey(valid)).not.toThrow();
  });

  it.each([
    ['parent segments', `${tenant}/../../etc/passwd`],
    ['a parent segment in place of the month', `${tenant}/2025/../${id}`],
    ['a trailing parent segment', `${valid}/..`],
    ['an absolute path', `/${valid}`],
    ['an absolute system path', '/etc/passwd'],
    ['backslashes', `${tenant}\\2025\\03\\${id}`],
    ['a Windows drive', `C:\\${valid}`],
    ['percent-encoded dots', `${tenant}/2025/03/%2e%2e`],
    ['a NUL byte', `${valid}\u0000.png`],
    ['a trailing newline', `${valid}\n`],
    ['a trailing slash', `${valid}/`],
    ['an extra segment', `${valid}/x`],
    ['a missing segment', `${tenant}/2025/${id}`],
    ['upper-case uuids', valid.toUpperCase()],
    ['a month 13', `${tenant}/2025/13/${id}`],
    ['a non-uuid tenant', `tenant-a/2025/03/${id}`],
    ['the empty string', ''],
  ])('refuse %s', (_, key) => {
    expect(() => assertStorageKey(key)).toThrow(InvalidStorageKeyError);
  });

  it('refuse to be minted from ids that are not uuids', () => {
    expect(() => attachmentStorageKey('../x', id, new Date())).toThrow(InvalidStorageKeyError);
    expect(() => attachmentStorageKey(tenant, '../../x', new Date())).toThrow(InvalidStorageKeyError);
  });
});

describe('LocalStorageDriver', () => {
  let root: string;
  let outside: string;
  let driver: LocalStorageDriver;

  beforeAll(async () => {
    const base = await mkdtemp(join(tmpdir(), 'orbitdesk-local-'));
    root = join(base, 'storage');
    outside = join(base, 'secret.txt');
    await writeFile(outside, 'outside the root');
    driver = new LocalStorageDriver(root);
  });
  afterAll(async () => {
    await rm(join(root, '..'), { recursive: true, force: true });
  });

  it('round-trips bytes and reports size', async () => {
    const key = attachmentStorageKey(tenant, randomUUID(), new Date());
    await expect(
      driver.put(key, Readable.from([Buffer.from('hello '), Buffer.from('world')]), {
        contentType: 'text/plain',
      }),
    ).resolves.toEqual({ size: 11 });
    expect(await driver.exists(key)).toBe(true);
    const got = await driver.get(key);
    expect(got.size).toBe(11);
    const chunks: Buffer[] = [];
    for await (const c of got.stream) chunks.push(c as Buffer);
    expect(Buffer.concat(chunks).toString()).toBe('hello world');
    await driver.delete(key);
    expect(await driver.exists(key)).toBe(false);
    await expect(driver.delete(key)).resolves.toBeUndefined();
    await expect(driver.get(key)).rejects.toBeInstanceOf(StorageObjectNotFoundError);
  });

  it('leaves nothing under the key when the source fails or the size is wrong', async () => {
    const key = attachmentStorageKey(tenant, randomUUID(), new Date());
    const failing = Readable.from(
      (function* () {
        yield Buffer.from('partial');
        throw new Error('client went away');
      })(),
    );
    await expect(driver.put(key, failing, { contentType: 'text/plain' })).rejects.toThrow('client went away');
    await expect(
      driver.put(key, Readable.from([Buffer.from('abc')]), { contentType: 'text/plain', size: 4 }),
    ).rejects.toThrow(/announced/);
    expect(await driver.exists(key)).toBe(false);
    const dir = join(root, ...key.split('/').slice(0, 3));
    expect(await readdir(dir)).toEqual([]);
  });

  it('refuses traversal keys on every operation and never touches files outside the root', async () => {
    for (const key of ['../secret.txt', `${tenant}/../../secret.txt`, outside, `${tenant}/2025/03/..`]) {
      await expect(driver.get(key)).rejects.toBeInstanceOf(InvalidStorageKeyError);
      await expect(driver.exists(key)).rejects.toBeInstanceOf(InvalidStorageKeyError);
      await expect(driver.delete(key)).rejects.toBeInstanceOf(InvalidStorageKeyError);
      await expect(
        driver.put(key, Readable.from([Buffer.from('overwritten')]), { contentType: 'text/plain' }),
      ).rejects.toBeInstanceOf(InvalidStorageKeyError);
    }
    expect(await readFile(outside, 'utf8')).toBe('outside the root');
  });

  it('resolves a relative STORAGE_LOCAL_DIR from apps/api, not the working directory', () => {
    const apiRoot = join(import.meta.dirname, '../../..');
    expect(resolveStorageDir('./storage')).toBe(join(apiRoot, 'storage'));
    expect(resolveStorageDir('/var/lib/orbitdesk')).toBe('/var/lib/orbitdesk');
  });
});
