import { zodResolver } from '@hookform/resolvers/zod';
import { useEffect, useState } from 'react';
import {
  Controller,
  get,
  useFieldArray,
  useForm,
  type FieldValues,
  type UseFormReturn,
} from 'react-hook-form';
import type { z } from 'zod';
import { inputClass, secondaryButton, selectClass, ghostButton } from '../ui/classes';
import { defaultValue, describeSchema, humanize, type FieldSpec } from './schema-fields';

type Values = Record<string, unknown>;
type Form = UseFormReturn<Values>;

const labelClass = 'text-xs font-medium text-slate-600 dark:text-slate-300';
const fieldId = (path: string) => `node-field-${path}`;

/**
 * A node's settings form, drawn from its zod schema and validated by it (react-hook-form). Every change goes to
 * `onChange` at once, so the canvas and the graph validation follow what is typed.
 */
export function SchemaForm({
  schema,
  value,
  onChange,
}: {
  schema: z.ZodType;
  value: Values;
  onChange: (value: Values) => void;
}) {
  const form = useForm<Values>({
    defaultValues: value,
    resolver: zodResolver(schema as z.ZodType<Values, FieldValues>),
    mode: 'all',
  });

  useEffect(() => {
    const sub = form.watch((values) => onChange(structuredClone(values) as Values));
    // Show what is missing straight away, like the marks on the canvas do.
    void form.trigger();
    return () => sub.unsubscribe();
  }, [form, onChange]);

  const spec = describeSchema(schema);
  return (
    <form className="flex flex-col gap-3" onSubmit={(e) => e.preventDefault()} noValidate>
      {spec.kind === 'variant' ? (
        <VariantFields spec={spec} form={form} />
      ) : spec.kind === 'group' ? (
        spec.fields.map(([name, field]) => (
          <SchemaField key={name} name={name} path={name} spec={field} form={form} />
        ))
      ) : null}
    </form>
  );
}

/** A union picked by a field (Send Message's `messageType`): switching it starts that kind's settings afresh. */
function VariantFields({ spec, form }: { spec: Extract<FieldSpec, { kind: 'variant' }>; form: Form }) {
  const picked = form.watch(spec.discriminator);
  const current = typeof picked === 'string' ? picked : (Object.keys(spec.options)[0] ?? '');
  const option = spec.options[current];
  const optionSpec = option ? describeSchema(option) : undefined;
  return (
    <>
      <div className="flex flex-col gap-1">
        <label htmlFor={fieldId(spec.discriminator)} className={labelClass}>
          {humanize(spec.discriminator)}
        </label>
        <select
          id={fieldId(spec.discriminator)}
          data-testid={fieldId(spec.discriminator)}
          className={selectClass}
          value={current}
          onChange={(e) => {
            const next = spec.options[e.target.value];
            if (next) form.reset({ ...(defaultValue(next) as Values), [spec.discriminator]: e.target.value });
          }}
        >
          {Object.keys(spec.options).map((o) => (
            <option key={o} value={o}>
              {o}
            </option>
          ))}
        </select>
      </div>
      {optionSpec?.kind === 'group' &&
        optionSpec.fields
          .filter(([name]) => name !== spec.discriminator)
          .map(([name, field]) => (
            <SchemaField key={`${current}.${name}`} name={name} path={name} spec={field} form={form} />
          ))}
    </>
  );
}

interface FieldErrorLike {
  message?: string;
  root?: { message?: string };
}

function ErrorText({ form, path }: { form: Form; path: string }) {
  const error: FieldErrorLike | undefined = get(form.formState.errors, path);
  const message = error?.message ?? error?.root?.message;
  return message ? (
    <p className="text-xs text-red-600 dark:text-red-400" data-testid={`${fieldId(path)}-error`}>
      {message}
    </p>
  ) : null;
}

function SchemaField({
  name,
  path,
  spec,
  form,
}: {
  name: string;
  path: string;
  spec: FieldSpec;
  form: Form;
}) {
  const label = humanize(name);
  const id = fieldId(path);
  const invalid = get(form.formState.errors, path) ? true : undefined;
  switch (spec.kind) {
    case 'text':
      return (
        <div className="flex flex-col gap-1">
          <label htmlFor={id} className={labelClass}>
            {label}
            {spec.optional ? '' : ' *'}
          </label>
          {spec.multiline ? (
            <textarea
              id={id}
              data-testid={id}
              rows={3}
              className={inputClass}
              aria-invalid={invalid}
              {...form.register(path, emptyToUndefined(spec.optional))}
            />
          ) : (
            <input
              id={id}
              data-testid={id}
              className={inputClass}
              aria-invalid={invalid}
              {...form.register(path, emptyToUndefined(spec.optional))}
            />
          )}
          <ErrorText form={form} path={path} />
        </div>
      );
    case 'number':
      return (
        <div className="flex flex-col gap-1">
          <label htmlFor={id} className={labelClass}>
            {label}
          </label>
          <input
            id={id}
            data-testid={id}
            type="number"
            className={inputClass}
            aria-invalid={invalid}
            {...form.register(path, {
              setValueAs: (v: unknown) => (v === '' || v === undefined ? undefined : Number(v)),
            })}
          />
          <ErrorText form={form} path={path} />
        </div>
      );
    case 'boolean':
      return (
        <label className="flex items-center gap-2 text-sm">
          <input type="checkbox" data-testid={id} {...form.register(path)} />
          {label}
        </label>
      );
    case 'enum':
      return (
        <div className="flex flex-col gap-1">
          <label htmlFor={id} className={labelClass}>
            {label}
          </label>
          <select
            id={id}
            data-testid={id}
            className={selectClass}
            {...form.register(path, emptyToUndefined(spec.optional))}
          >
            {spec.optional && <option value="">—</option>}
            {spec.options.map((o) => (
              <option key={o} value={o}>
                {o}
              </option>
            ))}
          </select>
          <ErrorText form={form} path={path} />
        </div>
      );
    case 'lines':
    case 'record':
      return (
        <div className="flex flex-col gap-1">
          <label htmlFor={id} className={labelClass}>
            {label}{' '}
            <span className="font-normal text-slate-400">
              {spec.kind === 'lines' ? '(one per line)' : '(name: value per line)'}
            </span>
          </label>
          <Controller
            control={form.control}
            name={path}
            render={({ field }) => (
              <LinesArea
                id={id}
                value={field.value}
                onChange={field.onChange}
                onBlur={field.onBlur}
                asRecord={spec.kind === 'record'}
              />
            )}
          />
          <ErrorText form={form} path={path} />
        </div>
      );
    case 'group':
      return <GroupField label={label} path={path} spec={spec} form={form} />;
    case 'repeat':
      return <RepeatField label={label} path={path} spec={spec} form={form} />;
    case 'variant':
    case 'fixed':
      return null;
  }
}

const emptyToUndefined = (optional: boolean) =>
  optional ? { setValueAs: (v: unknown) => (v === '' ? undefined : v) } : {};

function GroupField({
  label,
  path,
  spec,
  form,
}: {
  label: string;
  path: string;
  spec: Extract<FieldSpec, { kind: 'group' }>;
  form: Form;
}) {
  const present = form.watch(path) !== undefined;
  return (
    <fieldset className="flex flex-col gap-2 rounded-md border border-slate-200 p-2 dark:border-slate-700">
      <legend className={`${labelClass} px-1`}>
        {spec.optional ? (
          <label className="flex items-center gap-1.5">
            <input
              type="checkbox"
              checked={present}
              onChange={(e) =>
                form.setValue(path, e.target.checked ? spec.initial() : undefined, { shouldValidate: true })
              }
            />
            {label}
          </label>
        ) : (
          label
        )}
      </legend>
      {present &&
        spec.fields.map(([name, field]) => (
          <SchemaField key={name} name={name} path={`${path}.${name}`} spec={field} form={form} />
        ))}
      <ErrorText form={form} path={path} />
    </fieldset>
  );
}

function RepeatField({
  label,
  path,
  spec,
  form,
}: {
  label: string;
  path: string;
  spec: Extract<FieldSpec, { kind: 'repeat' }>;
  form: Form;
}) {
  const { fields, append, remove } = useFieldArray({ control: form.control, name: path as never });
  const itemLabel = label.replace(/s$/, '');
  return (
    <fieldset className="flex flex-col gap-2">
      <legend className={labelClass}>{label}</legend>
      {fields.map((item, index) => (
        <div
          key={item.id}
          className="flex flex-col gap-2 rounded-md border border-slate-200 p-2 dark:border-slate-700"
        >
          <div className="flex items-center justify-between text-xs text-slate-500">
            <span>
              {itemLabel} {index + 1}
            </span>
            <button
              type="button"
              className={ghostButton}
              onClick={() => remove(index)}
              aria-label={`Remove ${itemLabel} ${index + 1}`}
            >
              Remove
            </button>
          </div>
          {spec.item.kind === 'group' &&
            spec.item.fields.map(([name, field]) => (
              <SchemaField
                key={name}
                name={name}
                path={`${path}.${index}.${name}`}
                spec={field}
                form={form}
              />
            ))}
        </div>
      ))}
      <button type="button" className={secondaryButton} onClick={() => append(spec.itemDefault())}>
        Add {itemLabel.toLowerCase()}
      </button>
      <ErrorText form={form} path={path} />
    </fieldset>
  );
}

/** Lists and maps as plain text: one entry (or `name: value`) per line, kept as typed while editing. */
function LinesArea({
  id,
  value,
  onChange,
  onBlur,
  asRecord,
}: {
  id: string;
  value: unknown;
  onChange: (value: unknown) => void;
  onBlur: () => void;
  asRecord: boolean;
}) {
  const [text, setText] = useState(() => linesText(value, asRecord));
  return (
    <textarea
      id={id}
      data-testid={id}
      rows={3}
      className={inputClass}
      value={text}
      onBlur={onBlur}
      onChange={(e) => {
        setText(e.target.value);
        onChange(parseLines(e.target.value, asRecord));
      }}
    />
  );
}

function linesText(value: unknown, asRecord: boolean): string {
  if (asRecord) {
    return value && typeof value === 'object'
      ? Object.entries(value as Record<string, unknown>)
          .map(([k, v]) => `${k}: ${String(v)}`)
          .join('\n')
      : '';
  }
  return Array.isArray(value) ? value.map(String).join('\n') : '';
}

export function parseLines(text: string, asRecord: boolean): string[] | Record<string, string> {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  if (!asRecord) return lines;
  const record: Record<string, string> = {};
  for (const line of lines) {
    const at = line.indexOf(':');
    const key = (at < 0 ? line : line.slice(0, at)).trim();
    if (key) record[key] = at < 0 ? '' : line.slice(at + 1).trim();
  }
  return record;
}
