import type { FieldValues, Path, UseFormSetError } from 'react-hook-form';
import { ApiError } from '../api/client';

/**
 * Puts the API's validation issues next to their fields (`body.email` → `email`); whatever names no known
 * field, and any other failure, becomes the form's general error.
 */
export function applyServerErrors<T extends FieldValues>(
  error: unknown,
  fields: readonly Path<T>[],
  setError: UseFormSetError<T>,
): string | null {
  if (!(error instanceof ApiError)) return 'Could not reach the server; check your connection';
  let placed = 0;
  for (const issue of error.issues) {
    const name = issue.path.replace(/^body\./, '') as Path<T>;
    if (fields.includes(name)) {
      setError(name, { type: 'server', message: issue.message });
      placed++;
    }
  }
  return placed > 0 && placed === error.issues.length ? null : error.message;
}
