import { z } from 'zod';

export const ZUuid = z.uuid();
export const ZIdParams = z.strictObject({ id: z.uuid() });
export type TIdParams = z.infer<typeof ZIdParams>;

export const ZIsoDate = z.iso.datetime({ offset: true });

/** The one error shape every endpoint answers with. */
export const ZErrorResponse = z.object({
  statusCode: z.number().int(),
  error: z.string(),
  message: z.string(),
  details: z.unknown().optional(),
});
export type TErrorResponse = z.infer<typeof ZErrorResponse>;

export const ZCursorQuery = z.strictObject({
  cursor: z.string().max(512).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(25),
});
export type TCursorQuery = z.infer<typeof ZCursorQuery>;

/** A page of items plus the opaque cursor of the next page (null on the last page). */
export function ZPage<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item), nextCursor: z.string().nullable() });
}

export const ZOkResponse = z.object({ ok: z.literal(true) });
