import { z } from 'zod';
import { ZIsoDate } from './common.js';

/** An attachment's metadata with a fresh signed download URL (valid for a few minutes, see urlExpiresAt). */
export const ZAttachment = z.object({
  id: z.uuid(),
  fileName: z.string(),
  /** Sniffed from the file's first bytes when recognised, otherwise as declared by the uploader. */
  contentType: z.string(),
  size: z.number().int().nonnegative(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  createdAt: ZIsoDate,
  url: z.url(),
  urlExpiresAt: ZIsoDate,
});
export type TAttachment = z.infer<typeof ZAttachment>;

/** The query of a signed download URL; both parts come from `url` and are checked together with the id. */
export const ZAttachmentDownloadQuery = z.strictObject({
  expires: z.coerce.number().int().positive(),
  sig: z.string().min(1).max(128),
});
export type TAttachmentDownloadQuery = z.infer<typeof ZAttachmentDownloadQuery>;
