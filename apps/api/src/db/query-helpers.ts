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

/**
 * Rows strictly after (`at`, `id`) in (time asc, id asc) order: the keyset condition of the recovery sweeps'
 * pages, which read their (time, id) indexes in order.
 */
export const keysetAfter = (time: AnyColumn, id: AnyColumn, at: Date, afterId: string): SQL =>
  sql`(${time}, ${id}) > (${at.toISOString()}::timestamptz, ${afterId}::uuid)`;

/** `column` is more than `ms` milliseconds before the statement's transaction time. */
export const olderThan = (column: AnyColumn, ms: number): SQL =>
  sql`${column} < now() - ${ms}::int * interval '1 millisecond'`;

/** Postgres unique_violation, wherever the driver or drizzle put the code. */
export const isUniqueViolation = (err: unknown): boolean =>
  (err as { code?: string }).code === '23505' ||
  (err as { cause?: { code?: string } }).cause?.code === '23505';

/** Errors a Node socket raises when the server at the other end is down, restarting or unreachable. */
const TRANSIENT_NET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
]);

/**
 * SQLSTATEs worth retrying: connection exception (08), insufficient resources (53), operator intervention
 * (57P01-57P03: shutdown, crash shutdown, cannot connect now), serialization failure, deadlock.
 */
const TRANSIENT_SQLSTATE = /^(08...|53...|57P0[1-3]|40001|40P01)$/;
/** node-postgres' own wording for a connection that closed, or could not be made in time. */
const CONNECTION_LOST =
  /Connection terminated|timeout exceeded when trying to connect|Connection ended unexpectedly/i;

/**
 * Whether retrying the same work later can succeed: Postgres unreachable, restarting, refusing connections or out
 * of connections, a connection lost mid-query, or a deadlock / serialization failure (also when wrapped as an
 * error's `cause`). Anything else (a constraint, a bad value, a bug) fails the same way every time.
 */
export function isTransientDbError(err: unknown, depth = 0): boolean {
  if (!err || typeof err !== 'object' || depth > 3) return false;
  const { code, message, cause } = err as { code?: unknown; message?: unknown; cause?: unknown };
  const c = typeof code === 'string' ? code : '';
  const m = typeof message === 'string' ? message : '';
  return (
    TRANSIENT_NET_CODES.has(c) ||
    TRANSIENT_SQLSTATE.test(c) ||
    (c === '55000' && /not currently accepting connections/.test(m)) ||
    CONNECTION_LOST.test(m) ||
    isTransientDbError(cause, depth + 1)
  );
}
