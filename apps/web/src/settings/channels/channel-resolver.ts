import type { FieldErrors, Resolver } from 'react-hook-form';
import type { z } from 'zod';
import { getPath, setPath, type FormValues } from './channel-fields';

/**
 * Validates the request built from the form with the shared schema and puts each issue on its field
 * (`config.imap.port`); an issue that names no input becomes the form's root error.
 */
export function channelResolver(
  schema: z.ZodType,
  build: (values: FormValues) => unknown,
  fieldNames: readonly string[],
): Resolver<FormValues> {
  return (values) => {
    const body = build(values);
    const parsed = schema.safeParse(body);
    if (parsed.success) return { values, errors: {} };
    const errors: FormValues = {};
    const loose: string[] = [];
    for (const issue of parsed.error.issues) {
      const name = issue.path.join('.');
      const message =
        issue.code === 'invalid_type' && getPath(body as FormValues, name) === undefined
          ? 'is required'
          : issue.message;
      if (fieldNames.includes(name)) {
        if (getPath(errors, name) === undefined) setPath(errors, name, { type: 'validation', message });
      } else loose.push(name ? `${name}: ${message}` : message);
    }
    if (loose.length > 0) errors.root = { type: 'validation', message: loose.join('; ') };
    return { values: {}, errors: errors as FieldErrors<FormValues> };
  };
}
