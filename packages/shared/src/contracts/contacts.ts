import { z } from 'zod';
import { CHANNEL_TYPES } from '../constants/channels.js';
import { ZCursorQuery, ZIsoDate, ZPage } from './common.js';

export const ZContactIdentity = z.object({
  channelType: z.enum(CHANNEL_TYPES),
  identifier: z.string(),
});
export type TContactIdentity = z.infer<typeof ZContactIdentity>;

export const ZContact = z.object({
  id: z.uuid(),
  phone: z.string().nullable(),
  name: z.string().nullable(),
  email: z.string().nullable(),
  tags: z.array(z.string()),
  customFields: z.record(z.string(), z.unknown()),
  optedIn: z.boolean(),
  isOnDncList: z.boolean(),
  avatarUrl: z.string().nullable(),
  identities: z.array(ZContactIdentity),
  createdAt: ZIsoDate,
  updatedAt: ZIsoDate,
});
export type TContact = z.infer<typeof ZContact>;

/** Custom fields are free-form but bounded, so one contact cannot carry megabytes of JSON. */
export const MAX_CUSTOM_FIELDS_BYTES = 16 * 1024;
export const MAX_CUSTOM_FIELDS = 100;

const ZPhoneInput = z.string().trim().min(1).max(40);
const ZName = z.string().trim().min(1).max(200);
const ZTagInput = z.string().trim().min(1, 'tags must not be empty').max(50);
const ZCountry = z
  .string()
  .trim()
  .regex(/^[A-Za-z]{2}$/, 'must be a two-letter ISO country code')
  .transform((c) => c.toUpperCase());

export const ZCustomFields = z
  .record(z.string().min(1).max(100), z.unknown())
  .refine((v) => Object.keys(v).length <= MAX_CUSTOM_FIELDS, `at most ${MAX_CUSTOM_FIELDS} fields`)
  .refine(
    (v) => JSON.stringify(v).length <= MAX_CUSTOM_FIELDS_BYTES,
    `must be at most ${MAX_CUSTOM_FIELDS_BYTES} bytes as JSON`,
  );

export const ZContactIdentityInput = z.strictObject({
  channelType: z.enum(CHANNEL_TYPES),
  identifier: z.string().trim().min(1).max(255),
});
export type TContactIdentityInput = z.infer<typeof ZContactIdentityInput>;

const contactFields = {
  /** Normalised to E.164; a number without a + is read in `defaultCountry`. */
  phone: ZPhoneInput,
  name: ZName,
  email: z
    .email()
    .max(254)
    .transform((e) => e.toLowerCase()),
  tags: z.array(ZTagInput).max(50),
  customFields: ZCustomFields,
  optedIn: z.boolean(),
  isOnDncList: z.boolean(),
  avatarUrl: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).max(2048),
  identities: z.array(ZContactIdentityInput).max(20),
};

export const ZCreateContactRequest = z
  .strictObject({
    phone: contactFields.phone.optional(),
    name: contactFields.name.optional(),
    email: contactFields.email.optional(),
    tags: contactFields.tags.optional(),
    customFields: contactFields.customFields.optional(),
    optedIn: contactFields.optedIn.optional(),
    isOnDncList: contactFields.isOnDncList.optional(),
    avatarUrl: contactFields.avatarUrl.optional(),
    identities: contactFields.identities.optional(),
    defaultCountry: ZCountry.optional(),
  })
  .refine(
    (v) => v.phone !== undefined || v.email !== undefined || v.name !== undefined || v.identities?.length,
    'a contact needs at least one of phone, email, name or identities',
  );
export type TCreateContactRequest = z.infer<typeof ZCreateContactRequest>;

/** null clears a field; `identities` replaces the contact's whole set; `tags` replaces the list. */
export const ZUpdateContactRequest = z
  .strictObject({
    phone: contactFields.phone.nullable().optional(),
    name: contactFields.name.nullable().optional(),
    email: contactFields.email.nullable().optional(),
    tags: contactFields.tags.optional(),
    customFields: contactFields.customFields.optional(),
    optedIn: contactFields.optedIn.optional(),
    isOnDncList: contactFields.isOnDncList.optional(),
    avatarUrl: contactFields.avatarUrl.nullable().optional(),
    identities: contactFields.identities.optional(),
    defaultCountry: ZCountry.optional(),
  })
  .refine((v) => Object.keys(v).some((k) => k !== 'defaultCountry'), 'at least one field is required');
export type TUpdateContactRequest = z.infer<typeof ZUpdateContactRequest>;

export const CONTACT_SORTS = ['createdAt', 'name'] as const;

/** `tags=a,b` or `tags=a&tags=b`: contacts having all of them. */
const ZTagsFilter = z
  .union([z.string(), z.array(z.string())])
  .transform((v) =>
    [...new Set((Array.isArray(v) ? v : [v]).flatMap((s) => s.split(',')).map((s) => s.trim()))].filter(
      Boolean,
    ),
  )
  .pipe(z.array(z.string().max(50)).max(20));

const contactFilters = {
  /** Matches a part of the name, email or phone, case-insensitively. */
  q: z.string().trim().min(1).max(100).optional(),
  tags: ZTagsFilter.optional(),
  sort: z.enum(CONTACT_SORTS).default('createdAt'),
};

export const ZListContactsQuery = ZCursorQuery.extend(contactFilters);
export type TListContactsQuery = z.infer<typeof ZListContactsQuery>;

export const ZExportContactsQuery = z.strictObject(contactFilters);
export type TExportContactsQuery = z.infer<typeof ZExportContactsQuery>;

export const ZContactPage = ZPage(ZContact);
export type TContactPage = z.infer<typeof ZContactPage>;

export const ZMergeContactRequest = z.strictObject({
  /** The contact merged into the one in the path, then deleted. */
  sourceId: z.uuid(),
});
export type TMergeContactRequest = z.infer<typeof ZMergeContactRequest>;

export const ZImportContactsQuery = z.strictObject({ defaultCountry: ZCountry.optional() });
export type TImportContactsQuery = z.infer<typeof ZImportContactsQuery>;

export const CONTACT_IMPORT_STATUSES = ['running', 'completed', 'failed'] as const;
export const MAX_IMPORT_ERRORS = 1000;

export const ZContactImportError = z.object({
  /** Line of the CSV file (the header is line 1). */
  row: z.number().int(),
  message: z.string(),
});

export const ZContactImport = z.object({
  id: z.uuid(),
  status: z.enum(CONTACT_IMPORT_STATUSES),
  processed: z.number().int(),
  created: z.number().int(),
  updated: z.number().int(),
  failed: z.number().int(),
  /** The first MAX_IMPORT_ERRORS row errors; `failed` counts them all. */
  errors: z.array(ZContactImportError),
  /** Why the whole import stopped (status failed). */
  message: z.string().nullable(),
  startedAt: ZIsoDate,
  finishedAt: ZIsoDate.nullable(),
});
export type TContactImport = z.infer<typeof ZContactImport>;
