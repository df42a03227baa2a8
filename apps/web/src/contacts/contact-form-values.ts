import type { TContact, TCreateContactRequest, TUpdateContactRequest } from '@orbitdesk/shared';
import { splitTags } from './filters';

/** What the form edits: plain strings for the inputs, custom fields as key/value rows. */
export interface ContactFormValues {
  name: string;
  phone: string;
  email: string;
  tags: string;
  optedIn: boolean;
  isOnDncList: boolean;
  defaultCountry: string;
  customFields: { key: string; value: string }[];
}

/** The fields an issue can be shown next to; anything else goes above the form. */
export const CONTACT_FIELDS = ['name', 'phone', 'email', 'tags', 'defaultCountry', 'customFields'] as const;
export type ContactField = (typeof CONTACT_FIELDS)[number];

/** Values that are not text (numbers, lists) are edited as their JSON. */
const asText = (value: unknown): string => (typeof value === 'string' ? value : JSON.stringify(value));

export function toFormValues(contact?: TContact): ContactFormValues {
  return {
    name: contact?.name ?? '',
    phone: contact?.phone ?? '',
    email: contact?.email ?? '',
    tags: contact?.tags.join(', ') ?? '',
    optedIn: contact?.optedIn ?? false,
    isOnDncList: contact?.isOnDncList ?? false,
    defaultCountry: '',
    customFields: Object.entries(contact?.customFields ?? {}).map(([key, value]) => ({
      key,
      value: asText(value),
    })),
  };
}

/** Rows left blank are dropped; a value not edited keeps its original type (a number stays a number). */
function customFieldsOf(values: ContactFormValues, original?: TContact): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const { key, value } of values.customFields) {
    const name = key.trim();
    if (!name && !value.trim()) continue;
    const before = original?.customFields[name];
    out[name] = before !== undefined && asText(before) === value ? before : value;
  }
  return out;
}

const orUndefined = (text: string) => text.trim() || undefined;

export function toCreateBody(values: ContactFormValues): TCreateContactRequest {
  const tags = splitTags(values.tags);
  const customFields = customFieldsOf(values);
  return {
    name: orUndefined(values.name),
    phone: orUndefined(values.phone),
    email: orUndefined(values.email),
    tags: tags.length ? tags : undefined,
    customFields: Object.keys(customFields).length ? customFields : undefined,
    optedIn: values.optedIn,
    isOnDncList: values.isOnDncList,
    defaultCountry: orUndefined(values.defaultCountry),
  };
}

/** Every field is sent: an emptied input clears the field (null), tags and custom fields replace the lists. */
export function toUpdateBody(values: ContactFormValues, original: TContact): TUpdateContactRequest {
  return {
    name: values.name.trim() || null,
    phone: values.phone.trim() || null,
    email: values.email.trim() || null,
    tags: splitTags(values.tags),
    customFields: customFieldsOf(values, original),
    optedIn: values.optedIn,
    isOnDncList: values.isOnDncList,
    defaultCountry: orUndefined(values.defaultCountry),
  };
}

/** `email`, `body.email` or `body.tags.0` → the form field it belongs to, if any. */
export function fieldOfPath(path: string): ContactField | undefined {
  const top = path.replace(/^body\./, '').split('.')[0];
  return CONTACT_FIELDS.find((f) => f === top);
}
