import { badRequest } from './errors.js';

/** Keyset cursor over (createdAt, id): stable under inserts, O(log n) at any depth. */
export interface Cursor {
  createdAt: Date;
  id: string;
}

export function encodeCursor(row: { createdAt: Date; id: string }): string {
  return Buffer.from(JSON.stringify([row.createdAt.toISOString(), row.id])).toString('base64url');
}

export function decodeCursor(cursor: string | undefined): Cursor | undefined {
  if (!cursor) return undefined;
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    // Only the shape encodeCursor writes: a 4-digit-year ISO date (JS accepts years Postgres cannot store) and a uuid.
    if (
      Array.isArray(value) &&
      typeof value[0] === 'string' &&
      /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/.test(value[0]) &&
      typeof value[1] === 'string'
    ) {
      const createdAt = new Date(value[0]);
      if (
        !Number.isNaN(createdAt.getTime()) &&
        /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value[1])
      )
        return { createdAt, id: value[1] };
    }
  } catch {
    // fall through to the error below
  }
  throw badRequest('Validation failed: query.cursor: is not a cursor this API issued');
}

type Keyed = { createdAt: Date; id: string };

/** Rows were fetched with limit + 1; the extra row only signals that another page exists. */
export function toPage<T, D>(
  rows: T[],
  limit: number,
  map: (row: T) => D,
  keyOf: (row: T) => Keyed = (r) => r as Keyed,
) {
  const hasMore = rows.length > limit;
  const items = hasMore ? rows.slice(0, limit) : rows;
  const last = items[items.length - 1];
  return {
    items: items.map(map),
    nextCursor: hasMore && last !== undefined ? encodeCursor(keyOf(last)) : null,
  };
}
