import { and, eq, lt, or, type AnyColumn, type SQL } from 'drizzle-orm';
import type { Cursor } from '../common/http/pagination.js';

/** ILIKE pattern for a user's search term, with the wildcard characters in it escaped. */
export const likePattern = (term: string) => `%${term.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** Rows strictly after `c` in (createdAt desc, id desc) order: the keyset condition of cursor pagination. */
export const keysetBefore = (createdAt: AnyColumn, id: AnyColumn, c: Cursor): SQL =>
  or(lt(createdAt, c.createdAt), and(eq(createdAt, c.createdAt), lt(id, c.id)))!;

/** Postgres unique_violation, wherever the driver or drizzle put the code. */
export const isUniqueViolation = (err: unknown): boolean =>
  (err as { code?: string }).code === '23505' || (err as { cause?: { code?: string } }).cause?.code === '23505';
