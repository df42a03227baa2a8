import type { FieldValues, Path, UseFormSetError } from 'react-hook-form';
import { placeServerErrors } from '../ui/contract-form';

/**
 * Puts the API's validation issues next to their fields (`body.email` → `email`); whatever names no known
 * field, and any other failure, becomes the form's general error. A field matches its whole issue path, so
 * `body.scopes.0` does not land on `scopes` unless `scopes.0` is listed.
 */
export function applyServerErrors<T extends FieldValues>(
  error: unknown,
  fields: readonly Path<T>[],
  setError: UseFormSetError<T>,
): string | null {
  return placeServerErrors(
    error,
    (path) => {
      const name = path.map(String).join('.') as Path<T>;
      return fields.includes(name) ? name : null;
    },
    setError,
  );
}
