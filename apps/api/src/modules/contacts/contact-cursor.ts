import { badRequest } from '../../common/http/errors.js';

/** Keyset cursor of the name-sorted list: (name, id) of the last row; name is null for unnamed contacts. */
export interface NameCursor {
  name: string | null;
  id: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const encodeNameCursor = (c: NameCursor): string =>
  Buffer.from(JSON.stringify(['n', c.name, c.id])).toString('base64url');

export function decodeNameCursor(cursor: string | undefined): NameCursor | undefined {
  if (!cursor) return undefined;
  try {
    const v: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (
      Array.isArray(v) &&
      v.length === 3 &&
      v[0] === 'n' &&
      (v[1] === null || typeof v[1] === 'string') &&
      typeof v[2] === 'string' &&
      UUID.test(v[2])
    )
      return { name: v[1] as string | null, id: v[2] };
  } catch {
    // fall through to the error below
  }
  throw badRequest('Validation failed: query.cursor: is not a cursor this API issued');
}
