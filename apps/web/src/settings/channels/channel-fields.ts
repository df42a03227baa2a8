import { CHANNEL_TYPE_SCHEMAS, type ChannelType } from '@orbitdesk/shared';
import { z } from 'zod';

/**
 * The form of each channel type is derived from its shared zod schemas (through their JSON Schema), so a field
 * added to a contract shows up here without touching the web app. Form values stay strings and booleans (what
 * inputs hold); `toBody` turns them into the request the schema validates.
 */
export type FieldKind = 'text' | 'secret' | 'number' | 'boolean' | 'list';

export interface ChannelField {
  /** The react-hook-form name, also the API's issue path without `body.`: `config.imap.port`. */
  name: string;
  label: string;
  kind: FieldKind;
  required: boolean;
  /** The heading of a nested object (`IMAP`), when the field is in one. */
  group?: string;
  defaultValue?: unknown;
}

interface JsonSchema {
  type?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  default?: unknown;
  items?: JsonSchema;
}

const ACRONYMS: Record<string, string> = { imap: 'IMAP', smtp: 'SMTP', url: 'URL', id: 'ID', sid: 'SID' };

/** `pollIntervalSeconds` → `Poll interval seconds`, `imap` → `IMAP`. */
export function humanize(key: string): string {
  const words = key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/_/g, ' ')
    .toLowerCase()
    .split(' ');
  return words.map((w, i) => ACRONYMS[w] ?? (i === 0 ? w.charAt(0).toUpperCase() + w.slice(1) : w)).join(' ');
}

function kindOf(schema: JsonSchema, secret: boolean): FieldKind {
  if (schema.type === 'boolean') return 'boolean';
  if (schema.type === 'integer' || schema.type === 'number') return 'number';
  if (schema.type === 'array') return 'list';
  return secret ? 'secret' : 'text';
}

function walk(schema: JsonSchema, prefix: string, secret: boolean, group?: string): ChannelField[] {
  const required = new Set(schema.required ?? []);
  return Object.entries(schema.properties ?? {}).flatMap(([key, prop]) => {
    const name = `${prefix}.${key}`;
    if (prop.type === 'object') return walk(prop, name, secret, humanize(key));
    return [
      {
        name,
        label: humanize(key),
        kind: kindOf(prop, secret),
        required: required.has(key),
        group,
        defaultValue: prop.default,
      },
    ];
  });
}

/** The config fields, then the credential (secret) fields, of a channel type. */
export function channelFields(type: ChannelType): ChannelField[] {
  const schemas = CHANNEL_TYPE_SCHEMAS[type];
  const asJson = (s: z.ZodType) => z.toJSONSchema(s, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  return [
    ...walk(asJson(schemas.config), 'config', false),
    ...walk(asJson(schemas.credentials), 'credentials', true),
  ];
}

export type FormValues = Record<string, unknown>;

export function getPath(values: FormValues, name: string): unknown {
  return name.split('.').reduce<unknown>((v, k) => (v as Record<string, unknown> | undefined)?.[k], values);
}

export function setPath(target: FormValues, name: string, value: unknown): void {
  const keys = name.split('.');
  let node = target;
  for (const key of keys.slice(0, -1)) {
    node[key] ??= {};
    node = node[key] as FormValues;
  }
  node[keys.at(-1)!] = value;
}

/** What an input holds for a stored value (numbers as text, lists one per line). */
function toInput(field: ChannelField, value: unknown): unknown {
  if (field.kind === 'boolean') return value === true;
  if (field.kind === 'list') return Array.isArray(value) ? value.join('\n') : '';
  return typeof value === 'string' || typeof value === 'number' ? String(value) : '';
}

/** The form's starting values: the stored config (when editing) or the schema's defaults; secrets start empty. */
export function initialValues(fields: ChannelField[], config: Record<string, unknown> = {}): FormValues {
  const values: FormValues = { config: {}, credentials: {} };
  for (const field of fields) {
    const stored = field.name.startsWith('config.') ? getPath({ config }, field.name) : undefined;
    setPath(
      values,
      field.name,
      toInput(field, stored ?? (field.kind === 'secret' ? '' : field.defaultValue)),
    );
  }
  return values;
}

/** One input's value as the API wants it; undefined leaves the key out (blank optional fields, unchanged secrets). */
function fromInput(field: ChannelField, raw: unknown): unknown {
  if (field.kind === 'boolean') return raw === true;
  const text = typeof raw === 'string' ? raw.trim() : '';
  if (field.kind === 'list')
    return text
      .split(/[\n,]/)
      .map((s) => s.trim())
      .filter(Boolean);
  if (text === '') return undefined;
  if (field.kind === 'number') {
    // Not a number: sent as typed, so the schema names the field ("expected number").
    const n = Number(text);
    return Number.isFinite(n) ? n : text;
  }
  return text;
}

/** `{config, credentials}` from the form; blank secrets are left out (on edit they keep the stored value). */
export function toBody(fields: ChannelField[], values: FormValues) {
  const body: { config: FormValues; credentials: FormValues } = { config: {}, credentials: {} };
  for (const field of fields) {
    const value = fromInput(field, getPath(values, field.name));
    if (value !== undefined) setPath(body, field.name, value);
  }
  return body;
}

/** Key order aside, the same JSON: a config sent back unchanged need not reconnect the provider. */
export function sameJson(a: unknown, b: unknown): boolean {
  const canon = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(canon)
      : v && typeof v === 'object'
        ? Object.fromEntries(
            Object.entries(v)
              .sort(([x], [y]) => x.localeCompare(y))
              .map(([k, x]) => [k, canon(x)]),
          )
        : v;
  return JSON.stringify(canon(a)) === JSON.stringify(canon(b));
}
