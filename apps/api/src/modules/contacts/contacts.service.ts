import { Injectable } from '@nestjs/common';
import type {
  TContact,
  TContactIdentityInput,
  TContactPage,
  TCreateContactRequest,
  TExportContactsQuery,
  TListContactsQuery,
  TUpdateContactRequest,
} from '@orbitdesk/shared';
import { stringify } from 'csv-stringify';
import { Readable } from 'node:stream';
import { DomainEvents } from '../../common/events/domain-events.js';
import { badRequest, conflict, notFound, validationError } from '../../common/http/errors.js';
import { decodeCursor, toPage } from '../../common/http/pagination.js';
import { requestContext } from '../../common/tenancy/request-context.js';
import { TenantDb } from '../../common/tenancy/tenant-db.service.js';
import type { TenantTx } from '../../db/database.js';
import { isUniqueViolation } from '../../db/query-helpers.js';
import { AuditService } from '../audit/audit.service.js';
import { decodeNameCursor, encodeNameCursor } from './contact-cursor.js';
import { isKnownCountry, normalizePhone, normalizeTags } from './contact-normalize.js';
import {
  ContactsRepository,
  type ContactFilters,
  type ContactRow,
  type NewContactRow,
} from './contacts.repository.js';
import { toContactDto } from './contact-dto.js';

/** Columns of an export, in order; an import reads the same names (and any other column as a custom field). */
export const CSV_COLUMNS = ['phone', 'name', 'email', 'tags', 'opted_in'] as const;
const EXPORT_PAGE = 1000;
const MAX_EXPORT_CUSTOM_COLUMNS = 200;

/** Which unique index a write hit, in words the caller can act on. */
function duplicateMessage(err: unknown, values: { phone?: string | null; email?: string | null }): string {
  const constraint =
    (err as { constraint?: string }).constraint ??
    (err as { cause?: { constraint?: string } }).cause?.constraint;
  if (constraint === 'contacts_tenant_phone_key')
    return `A contact with phone ${values.phone} already exists`;
  if (constraint === 'contacts_tenant_email_key')
    return `A contact with email ${values.email} already exists`;
  if (constraint === 'contact_identities_tenant_channel_identifier_key')
    return 'One of the identities already belongs to another contact';
  return 'The contact conflicts with an existing one';
}

const dedupeIdentities = (ids: TContactIdentityInput[]) => [
  ...new Map(ids.map((i) => [`${i.channelType}\u0000${i.identifier}`, i])).values(),
];

@Injectable()
export class ContactsService {
  constructor(
    private readonly tenantDb: TenantDb,
    private readonly repo: ContactsRepository,
    private readonly audit: AuditService,
    private readonly events: DomainEvents,
  ) {}

  async list(q: TListContactsQuery): Promise<TContactPage> {
    const filters: ContactFilters = { q: q.q, tags: q.tags };
    if (q.sort === 'name') {
      const cursor = decodeNameCursor(q.cursor);
      const rows = await this.tenantDb.run((tx) =>
        this.withIdentities(tx, this.repo.list(tx, { ...filters, sort: 'name', cursor, limit: q.limit })),
      );
      const page = toPage(rows.rows, q.limit, (r) => toContactDto(r, rows.identities));
      const last = rows.rows[q.limit - 1];
      return { items: page.items, nextCursor: page.nextCursor && last ? encodeNameCursor(last) : null };
    }
    const cursor = decodeCursor(q.cursor);
    const rows = await this.tenantDb.run((tx) =>
      this.withIdentities(tx, this.repo.list(tx, { ...filters, sort: 'createdAt', cursor, limit: q.limit })),
    );
    return toPage(rows.rows, q.limit, (r) => toContactDto(r, rows.identities));
  }

  async get(id: string): Promise<TContact> {
    return this.tenantDb.run(async (tx) => {
      const row = await this.repo.findById(tx, id);
      if (!row) throw notFound('Contact');
      return this.toDto(tx, row);
    });
  }

  async create(input: TCreateContactRequest): Promise<TContact> {
    const tenantId = requestContext.tenantId();
    const values = this.normalize(input);
    const identities = dedupeIdentities(input.identities ?? []);
    const contact = await this.write(values, async (tx) => {
      await this.assertIdentitiesFree(tx, identities);
      const row = await this.repo.insert(tx, {
        tenantId,
        ...values,
        tags: values.tags ?? [],
        customFields: input.customFields ?? {},
        optedIn: input.optedIn ?? false,
        isOnDncList: input.isOnDncList ?? false,
        avatarUrl: input.avatarUrl ?? null,
      });
      await this.repo.replaceIdentities(tx, tenantId, row.id, identities);
      await this.audit.record(tx, { action: 'contact.created', entityType: 'contact', entityId: row.id });
      return this.toDto(tx, row);
    });
    this.events.publish('contact.created', { tenantId, contact });
    return contact;
  }

  async update(id: string, input: TUpdateContactRequest): Promise<TContact> {
    const tenantId = requestContext.tenantId();
    const values = this.normalize(input);
    let addedTags: string[] = [];
    const contact = await this.write(values, async (tx) => {
      const existing = await this.repo.findById(tx, id, { forUpdate: true });
      if (!existing) throw notFound('Contact');
      const row = await this.repo.update(tx, id, {
        ...values,
        customFields: input.customFields,
        optedIn: input.optedIn,
        isOnDncList: input.isOnDncList,
        avatarUrl: input.avatarUrl,
      });
      addedTags = row!.tags.filter((tag) => !existing.tags.includes(tag));
      if (input.identities) {
        const identities = dedupeIdentities(input.identities);
        await this.assertIdentitiesFree(tx, identities, id);
        await this.repo.replaceIdentities(tx, tenantId, id, identities);
      }
      await this.audit.record(tx, {
        action: 'contact.updated',
        entityType: 'contact',
        entityId: id,
        metadata: { fields: Object.keys(input).filter((k) => k !== 'defaultCountry') },
      });
      return this.toDto(tx, row!);
    });
    this.events.publish('contact.updated', { tenantId, contact, addedTags });
    return contact;
  }

  async remove(id: string): Promise<{ ok: true }> {
    await this.tenantDb.run(async (tx) => {
      if (!(await this.repo.delete(tx, id))) throw notFound('Contact');
      await this.audit.record(tx, { action: 'contact.deleted', entityType: 'contact', entityId: id });
    });
    return { ok: true };
  }

  /**
   * Folds `sourceId` into `survivorId` in one transaction: identities and conversations move over, tags are
   * united, the survivor's custom fields win and missing ones come from the source, and empty phone, email,
   * name and avatar are filled from it. The source is then deleted.
   */
  async merge(survivorId: string, sourceId: string): Promise<TContact> {
    if (survivorId === sourceId)
      throw badRequest('Validation failed: body.sourceId: cannot merge a contact with itself');
    const tenantId = requestContext.tenantId();
    const contact = await this.tenantDb.run(async (tx) => {
      // Locked in id order so two merges of the same pair cannot deadlock.
      const locked: ContactRow[] = [];
      for (const id of [survivorId, sourceId].sort()) {
        const row = await this.repo.findById(tx, id, { forUpdate: true });
        if (row) locked.push(row);
      }
      const survivor = locked.find((r) => r.id === survivorId);
      const source = locked.find((r) => r.id === sourceId);
      if (!survivor || !source) throw notFound('Contact');

      await this.repo.moveIdentities(tx, source.id, survivor.id);
      const movedConversations = await this.repo.moveConversations(tx, source.id, survivor.id);
      // Deleted before the survivor takes its phone or email, which are unique per tenant.
      await this.repo.delete(tx, source.id);
      const row = await this.repo.update(tx, survivor.id, {
        phone: survivor.phone ?? source.phone,
        email: survivor.email ?? source.email,
        name: survivor.name ?? source.name,
        avatarUrl: survivor.avatarUrl ?? source.avatarUrl,
        tags: normalizeTags([...survivor.tags, ...source.tags]),
        customFields: { ...source.customFields, ...survivor.customFields },
        optedIn: survivor.optedIn,
        // Once either record asked not to be contacted, the merged one must not be either.
        isOnDncList: survivor.isOnDncList || source.isOnDncList,
      });
      await this.audit.record(tx, {
        action: 'contact.merged',
        entityType: 'contact',
        entityId: survivor.id,
        metadata: { sourceId: source.id, movedConversations },
      });
      return this.toDto(tx, row!);
    });
    this.events.publish('contact.updated', { tenantId, contact });
    return contact;
  }

  /** All contacts matching the filters as CSV, read in keyset pages of EXPORT_PAGE rows. */
  async exportCsv(q: TExportContactsQuery): Promise<Readable> {
    const store = requestContext.get();
    const filters: ContactFilters = { q: q.q, tags: q.tags };
    const reserved = new Set<string>(CSV_COLUMNS);
    const customKeys = (
      await this.tenantDb.run((tx) => this.repo.customFieldKeys(tx, filters, MAX_EXPORT_CUSTOM_COLUMNS))
    ).filter((k) => !reserved.has(k));
    const run = <T>(fn: (tx: TenantTx) => Promise<T>) =>
      // The stream is read after the handler returned, outside its AsyncLocalStorage scope.
      requestContext.run(store ?? {}, () => this.tenantDb.run(fn));
    const repo = this.repo;
    async function* rows() {
      let cursor: { createdAt: Date; id: string } | undefined;
      for (;;) {
        const page = await run((tx) =>
          repo.list(tx, { ...filters, sort: 'createdAt', cursor, limit: EXPORT_PAGE - 1 }),
        );
        for (const r of page) {
          yield [
            r.phone ?? '',
            r.name ?? '',
            r.email ?? '',
            r.tags.join(';'),
            r.optedIn ? 'true' : 'false',
            ...customKeys.map((k) => {
              const v = r.customFields[k];
              return v === undefined || v === null ? '' : typeof v === 'string' ? v : JSON.stringify(v);
            }),
          ];
        }
        const last = page[page.length - 1];
        if (page.length < EXPORT_PAGE || !last) return;
        cursor = { createdAt: last.createdAt, id: last.id };
      }
    }
    return Readable.from(rows()).pipe(stringify({ header: true, columns: [...CSV_COLUMNS, ...customKeys] }));
  }

  private async toDto(tx: TenantTx, row: ContactRow): Promise<TContact> {
    return toContactDto(row, await this.repo.identitiesOf(tx, [row.id]));
  }

  private async withIdentities(tx: TenantTx, rowsPromise: Promise<ContactRow[]>) {
    const rows = await rowsPromise;
    return {
      rows,
      identities: await this.repo.identitiesOf(
        tx,
        rows.map((r) => r.id),
      ),
    };
  }

  private async assertIdentitiesFree(tx: TenantTx, identities: TContactIdentityInput[], exceptId?: string) {
    const taken = await this.repo.findTakenIdentity(tx, identities, exceptId);
    if (taken)
      throw conflict(`Identity ${taken.channelType}:${taken.identifier} already belongs to another contact`, {
        channelType: taken.channelType,
        identifier: taken.identifier,
        contactId: taken.contactId,
      });
  }

  /** Phone to E.164 (400 naming the field when it is not a number), tags trimmed and deduplicated. */
  private normalize(input: TCreateContactRequest | TUpdateContactRequest): Partial<NewContactRow> {
    if (input.defaultCountry && !isKnownCountry(input.defaultCountry))
      throw validationError([
        { path: 'body.defaultCountry', message: `unknown country ${input.defaultCountry}` },
      ]);
    const out: Partial<NewContactRow> = {};
    if (input.phone !== undefined) {
      out.phone = input.phone === null ? null : normalizePhone(input.phone, input.defaultCountry);
      if (input.phone !== null && !out.phone)
        throw validationError([
          {
            path: 'body.phone',
            message: input.defaultCountry
              ? `is not a valid phone number in ${input.defaultCountry}`
              : 'is not a valid phone number (use the +country format or give defaultCountry)',
          },
        ]);
    }
    if (input.name !== undefined) out.name = input.name;
    if (input.email !== undefined) out.email = input.email;
    if (input.tags !== undefined) out.tags = normalizeTags(input.tags);
    return out;
  }

  /** A transaction whose unique violations become a 409 naming the duplicate value. */
  private async write<T>(
    values: { phone?: string | null; email?: string | null },
    fn: (tx: TenantTx) => Promise<T>,
  ): Promise<T> {
    try {
      return await this.tenantDb.run(fn);
    } catch (err) {
      if (isUniqueViolation(err)) throw conflict(duplicateMessage(err, values));
      throw err;
    }
  }
}
