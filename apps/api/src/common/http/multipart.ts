import type { MultipartFile } from '@fastify/multipart';
import { badRequest } from './errors.js';

/** How a controller hands over the request's file: `(options) => req.file(options)`. */
export type MultipartReader = (options: {
  limits: { fileSize: number; files: number };
}) => Promise<MultipartFile | undefined>;

/**
 * Opens the one file field of a multipart request, allowing `maxBytes` + 1 so that reading (not busboy's silent
 * truncation) is what notices an oversize file. `tooLarge` is the caller's 413 when the parser already refused
 * it; a body that is not multipart, or has no file field, is a 400 naming `file`.
 */
export async function openUpload(
  readFile: MultipartReader,
  maxBytes: number,
  tooLarge: () => Error,
): Promise<MultipartFile> {
  let file: MultipartFile | undefined;
  try {
    file = await readFile({ limits: { fileSize: maxBytes + 1, files: 1 } });
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode === 413) throw tooLarge();
    throw badRequest('Validation failed: file: send the file as multipart/form-data with one file field');
  }
  if (!file) throw badRequest('Validation failed: file: a file field is required');
  return file;
}
