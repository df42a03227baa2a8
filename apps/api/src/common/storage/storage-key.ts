const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
/** `${tenantId}/${yyyy}/${mm}/${uuid}`: the only shape a key can have, so no key can climb out of its prefix. */
const KEY = new RegExp(`^${UUID}/\\d{4}/(0[1-9]|1[0-2])/${UUID}$`);

export class InvalidStorageKeyError extends Error {
  constructor(key: string) {
    super(`invalid storage key ${JSON.stringify(key.slice(0, 200))}`);
  }
}

/** A new object's key: grouped per tenant and month so a tenant's files can be listed, moved or purged by prefix. */
export function attachmentStorageKey(tenantId: string, id: string, at: Date): string {
  const key = `${tenantId}/${at.getUTCFullYear()}/${String(at.getUTCMonth() + 1).padStart(2, '0')}/${id}`;
  assertStorageKey(key);
  return key;
}

/**
 * Refuses anything but a key the app mints. Checked by every driver before it touches disk or bucket, so a key
 * that came from a tampered row or a future caller cannot address `..`, an absolute path or another prefix.
 */
export function assertStorageKey(key: string): void {
  if (typeof key !== 'string' || !KEY.test(key)) throw new InvalidStorageKeyError(String(key));
}
