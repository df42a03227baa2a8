import type { FieldErrors, FieldValues, Path, Resolver, UseFormSetError } from 'react-hook-form';
import type { z } from 'zod';
import { ApiError } from '../api/client';

/** Which form field a request path (`['handoffKeywords', 0]`, from zod or the API) belongs to, if any. */
export type FieldOfPath<V extends FieldValues> = (path: readonly PropertyKey[]) => Path<V> | null;

/** `body.handoffKeywords.0` (the API's issue path) as the segments zod would give. */
export function splitIssuePath(path: string): (string | number)[] {
  return path
    .replace(/^body\.?/, '')
    .split('.')
    .filter(Boolean)
    .map((part) => (/^\d+$/.test(part) ? Number(part) : part));
}

/**
 * A react-hook-form resolver that validates the request the form would send with its shared zod contract, so
 * the browser and the API refuse the same things in the same words. Issues that name no field go to
 * `errors.root.contract`.
 */
export function contractResolver<V extends FieldValues>(
  schema: z.ZodType,
  toBody: (values: V) => unknown,
  fieldOf: FieldOfPath<V>,
): Resolver<V> {
  return (values) => {
    const parsed = schema.safeParse(toBody(values));
    if (parsed.success) return { values, errors: {} };
    const errors: Record<string, { type: string; message: string }> = {};
    const rest: string[] = [];
    for (const issue of parsed.error.issues) {
      const field = fieldOf(issue.path);
      if (field) errors[field] ??= { type: 'validate', message: issue.message };
      else rest.push(issue.path.length ? `${issue.path.join('.')}: ${issue.message}` : issue.message);
    }
    const all = errors as FieldErrors<V>;
    if (rest.length) all.root = { contract: { type: 'validate', message: rest.join('; ') } };
    return { values: {}, errors: all };
  };
}

/**
 * Puts a failed request's field issues next to their fields; returns the message for the top of the form, or
 * null when every issue found its field. `conflictField` is where a 409 belongs (a name already taken).
 */
export function placeServerErrors<V extends FieldValues>(
  error: unknown,
  fieldOf: FieldOfPath<V>,
  setError: UseFormSetError<V>,
  conflictField?: Path<V>,
): string | null {
  if (!(error instanceof ApiError)) return 'Could not reach the server; check your connection';
  if (error.status === 409 && conflictField) {
    setError(conflictField, { type: 'server', message: error.message });
    return null;
  }
  let placed = 0;
  for (const issue of error.issues) {
    const field = fieldOf(splitIssuePath(issue.path));
    if (!field) continue;
    setError(field, { type: 'server', message: issue.message });
    placed++;
  }
  return placed > 0 && placed === error.issues.length ? null : error.message;
}

/** The usual field mapping: the path's first segment when it is one of the form's fields. */
export function topLevelField<V extends FieldValues>(fields: readonly Path<V>[]): FieldOfPath<V> {
  return (path) => {
    const head = path[0];
    return typeof head === 'string' && (fields as readonly string[]).includes(head)
      ? (head as Path<V>)
      : null;
  };
}
