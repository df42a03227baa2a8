import type { z } from 'zod';

/**
 * What the node settings form draws, read from a node type's zod schema, so the form always matches what the
 * server validates: a new setting in packages/shared shows up in the builder without touching it.
 */
export type FieldSpec =
  | { kind: 'text'; optional: boolean; multiline: boolean }
  | { kind: 'number'; optional: boolean }
  | { kind: 'boolean' }
  | { kind: 'enum'; options: string[]; optional: boolean }
  | { kind: 'lines'; optional: boolean }
  | { kind: 'record' }
  | { kind: 'group'; fields: [string, FieldSpec][]; optional: boolean; initial: () => unknown }
  | { kind: 'repeat'; item: FieldSpec; itemDefault: () => unknown }
  | { kind: 'variant'; discriminator: string; options: Record<string, z.ZodType> }
  | { kind: 'fixed' };

/** The parts of zod's internal definition this module reads (zod 4 `_zod.def`). */
interface CheckDef {
  check: string;
  minimum?: number;
  maximum?: number;
  value?: number;
}

interface Def {
  type: string;
  innerType?: z.ZodType;
  defaultValue?: unknown;
  shape?: Record<string, z.ZodType>;
  element?: z.ZodType;
  entries?: Record<string, string>;
  values?: unknown[];
  options?: z.ZodType[];
  discriminator?: string;
  in?: z.ZodType;
  checks?: { _zod: { def: CheckDef } }[];
}

const defOf = (schema: z.ZodType): Def => (schema as unknown as { _zod: { def: Def } })._zod.def;

const check = (schema: z.ZodType, name: string): CheckDef | undefined =>
  defOf(schema).checks?.find((c) => c._zod.def.check === name)?._zod.def;

/** Long free text (messages, prompts, bodies) gets a text area. */
const MULTILINE_AT = 1000;

export function describeSchema(schema: z.ZodType, optional = false): FieldSpec {
  const def = defOf(schema);
  switch (def.type) {
    case 'optional':
      return describeSchema(def.innerType!, true);
    case 'default':
    case 'prefault':
      return describeSchema(def.innerType!, optional);
    case 'pipe':
      return describeSchema(def.in!, optional);
    case 'string':
      return {
        kind: 'text',
        optional,
        multiline: (check(schema, 'max_length')?.maximum ?? 0) >= MULTILINE_AT,
      };
    case 'number':
      return { kind: 'number', optional };
    case 'boolean':
      return { kind: 'boolean' };
    case 'enum':
      return { kind: 'enum', options: Object.values(def.entries ?? {}), optional };
    case 'record':
      return { kind: 'record' };
    case 'array': {
      const item = describeSchema(def.element!);
      if (item.kind === 'text') return { kind: 'lines', optional };
      return { kind: 'repeat', item, itemDefault: () => defaultValue(def.element!) };
    }
    case 'object':
      return {
        kind: 'group',
        optional,
        initial: () => defaultValue(schema),
        fields: Object.entries(def.shape ?? {}).map(([name, field]) => [name, describeSchema(field)]),
      };
    case 'union':
      if (def.discriminator) {
        const options: Record<string, z.ZodType> = {};
        for (const option of def.options ?? []) {
          const literal = defOf(defOf(option).shape![def.discriminator]!).values?.[0];
          options[String(literal)] = option;
        }
        return { kind: 'variant', discriminator: def.discriminator, options };
      }
      return { kind: 'fixed' };
    default:
      return { kind: 'fixed' };
  }
}

/** A value the schema accepts as a starting point (or the closest to it: required text starts empty). */
export function defaultValue(schema: z.ZodType): unknown {
  const def = defOf(schema);
  switch (def.type) {
    case 'optional':
      return undefined;
    case 'default':
    case 'prefault':
      return structuredClone(def.defaultValue);
    case 'pipe':
      return defaultValue(def.in!);
    case 'string':
      return '';
    case 'number':
      return check(schema, 'greater_than')?.value ?? 0;
    case 'boolean':
      return false;
    case 'enum':
      return Object.values(def.entries ?? {})[0];
    case 'literal':
      return def.values?.[0];
    case 'record':
      return {};
    case 'array': {
      const min = check(schema, 'min_length')?.minimum ?? 0;
      return Array.from({ length: min }, () => defaultValue(def.element!));
    }
    case 'object': {
      const value: Record<string, unknown> = {};
      for (const [name, field] of Object.entries(def.shape ?? {})) {
        const v = defaultValue(field);
        if (v !== undefined) value[name] = v;
      }
      return value;
    }
    case 'union':
      return def.options?.[0] ? defaultValue(def.options[0]) : undefined;
    default:
      return undefined;
  }
}

/** `messageType` → "Message type". */
export const humanize = (name: string): string => {
  const words = name.replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/_/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1).toLowerCase();
};
