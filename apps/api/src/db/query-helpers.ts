import { sql, type AnyColumn, type SQL } from 'drizzle-orm';
import type { Cursor } from '../common/http/pagination.js';

/** ILIKE pattern for a user's search term, with the wildcard characters in it escaped. */
export const likePattern = (term: string) => `%${term.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/**
 * Rows strictly after `c` in (createdAt desc, id desc) order: the keyset condition of cursor pagination, as a
 * row comparison the (tenant_id, created_at, id) indexes serve directly. Keyset columns are stored with
 * millisecond precision (timestamptz(3)) so a JS Date in the cursor round-trips exactly.
 */
export const keysetBefore = (createdAt: AnyColumn, id: AnyColumn, c: Cursor): SQL =>
  sql`(${createdAt}, ${id}) < (${c.createdAt.toISOString()}::timestamptz, ${c.id}::uuid)`;

/** Postgres unique_violation, wherever the driver or drizzle put the code. */
export const isUniqueViolation = (err: unknown): boolean =>
  (err as { code?: string }).code === '23505' ||
  (err as { cause?: { code?: string } }).cause?.code === '23505';
