import type { FieldErrors, UseFormRegister } from 'react-hook-form';
import { inputClass } from '../../ui/classes';
import { Field } from '../../ui/field';
import { getPath, type ChannelField, type FormValues } from './channel-fields';

function errorOf(errors: FieldErrors<FormValues>, name: string): string | undefined {
  const error = getPath(errors, name) as { message?: unknown } | undefined;
  return typeof error?.message === 'string' ? error.message : undefined;
}

/** The id of an input: its name with dots, which CSS selectors and labels handle poorly, made into dashes. */
export const inputId = (name: string) => `channel-${name.replace(/\./g, '-')}`;

function FieldInput({
  field,
  register,
  error,
  maskedSecret,
}: {
  field: ChannelField;
  register: UseFormRegister<FormValues>;
  error?: string;
  maskedSecret?: string;
}) {
  const id = inputId(field.name);
  const label = `${field.label}${field.required ? '' : ' (optional)'}`;
  if (field.kind === 'boolean')
    return (
      <label className="flex items-center gap-2 self-end pb-2 text-sm" htmlFor={id}>
        <input id={id} type="checkbox" {...register(field.name)} />
        {field.label}
      </label>
    );
  if (field.kind === 'list')
    return (
      <div className="flex flex-col gap-1 sm:col-span-2">
        <label htmlFor={id} className="text-sm font-medium text-slate-700 dark:text-slate-300">
          {label} <span className="font-normal text-slate-500">one per line</span>
        </label>
        <textarea
          id={id}
          rows={3}
          className={inputClass}
          aria-invalid={error ? true : undefined}
          {...register(field.name)}
        />
        {error && <p className="text-xs text-red-600 dark:text-red-400">{error}</p>}
      </div>
    );
  return (
    <Field
      id={id}
      label={maskedSecret ? `${field.label} (leave blank to keep)` : label}
      type={field.kind === 'secret' ? 'password' : field.kind === 'number' ? 'number' : 'text'}
      autoComplete={field.kind === 'secret' ? 'new-password' : 'off'}
      placeholder={maskedSecret}
      error={error}
      {...register(field.name)}
    />
  );
}

/** The inputs of a channel type, nested objects (IMAP, SMTP) under their own heading. */
export function ChannelFieldInputs({
  fields,
  register,
  errors,
  maskedSecrets = {},
}: {
  fields: ChannelField[];
  register: UseFormRegister<FormValues>;
  errors: FieldErrors<FormValues>;
  maskedSecrets?: Record<string, string>;
}) {
  const groups = new Map<string, ChannelField[]>();
  for (const f of fields) {
    const key = f.group ?? (f.kind === 'secret' ? 'Credentials' : '');
    groups.set(key, [...(groups.get(key) ?? []), f]);
  }
  return (
    <>
      {[...groups].map(([group, list]) => (
        <fieldset key={group || 'main'} className="flex flex-col gap-3">
          {group && (
            <legend className="mb-2 text-xs font-semibold tracking-wide text-slate-500 uppercase dark:text-slate-400">
              {group}
            </legend>
          )}
          <div className="grid gap-4 sm:grid-cols-2">
            {list.map((f) => (
              <FieldInput
                key={f.name}
                field={f}
                register={register}
                error={errorOf(errors, f.name)}
                maskedSecret={maskedSecrets[f.name.replace(/^credentials\./, '')]}
              />
            ))}
          </div>
        </fieldset>
      ))}
    </>
  );
}
