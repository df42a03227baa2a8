import { Injectable } from '@nestjs/common';
import { and, arrayContains, asc, desc, eq, inArray, ne, or, sql, type SQL } from 'drizzle-orm';
import type { TenantTx } from '../../db/database.js';
import { contactIdentities, contacts, conversations } from '../../db/schema/index.js';
import { keysetBefore, likePattern } from '../../db/query-helpers.js';
import type { Cursor } from '../../common/http/pagination.js';
import type { NameCursor } from './contact-cursor.js';

export type ContactRow = typeof contacts.$inferSelect;
export type NewContactRow = typeof contacts.$inferInsert;
export type IdentityRow = typeof contactIdentities.$inferSelect;

export interface ContactFilters {
  q?: string;
  tags?: string[];
}

export type ContactKeyset = { sort: 'createdAt'; cursor?: Cursor } | { sort: 'name'; cursor?: NameCursor };

/** A CSV row ready for the upsert; `optedIn` undefined means "keep what the contact has". */
export interface ImportRow {
  phone: string | null;
  name: string | null;
  email: string | null;
  tags: string[];
  customFields: Record<string, unknown>;
  optedIn?: boolean;
}

function filterConditions(f: ContactFilters): SQL[] {
  const where: SQL[] = [];
  // contact_search_ids (migration 0007) matches name, email and phone through the trigram index, which a plain
  // ILIKE cannot use under row-level security.
  if (f.q) where.push(sql`${contacts.id} in (select contact_search_ids(${likePattern(f.q)}))`);
  if (f.tags?.length) where.push(arrayContains(contacts.tags, f.tags));
  return where;
}

/** Rows after the cursor in (name asc nulls last, id asc) order, the order of contacts_tenant_name_idx. */
function nameAfter(c: NameCursor): SQL {
  if (c.name === null) return sql`(${contacts.name} is null and ${contacts.id} > ${c.id}::uuid)`;
  return sql`((${contacts.name}, ${contacts.id}) > (${c.name}, ${c.id}::uuid) or ${contacts.name} is null)`;
}

@Injectable()
export class ContactsRepository {
  async findById(
    tx: TenantTx,
    id: string,
    opts: { forUpdate?: boolean } = {},
  ): Promise<ContactRow | undefined> {
    const q = tx.select().from(contacts).where(eq(contacts.id, id));
    const [row] = opts.forUpdate ? await q.for('update') : await q;
    return row;
  }

  list(tx: TenantTx, q: ContactFilters & ContactKeyset & { limit: number }): Promise<ContactRow[]> {
    const where = filterConditions(q);
    if (q.sort === 'name') {
      if (q.cursor) where.push(nameAfter(q.cursor));
      return tx
        .select()
        .from(contacts)
        .where(and(...where))
        .orderBy(sql`${contacts.name} asc nulls last`, asc(contacts.id))
        .limit(q.limit + 1);
    }
    if (q.cursor) where.push(keysetBefore(contacts.createdAt, contacts.id, q.cursor));
    return tx
      .select()
      .from(contacts)
      .where(and(...where))
      .orderBy(desc(contacts.createdAt), desc(contacts.id))
      .limit(q.limit + 1);
  }

  /** Custom-field names in use among the filtered contacts: the extra columns of an export. */
  async customFieldKeys(tx: TenantTx, f: ContactFilters, max: number): Promise<string[]> {
    const rows = await tx
      .selectDistinct({ key: sql<string>`jsonb_object_keys(${contacts.customFields})` })
      .from(contacts)
      .where(and(...filterConditions(f)))
      .orderBy(sql`1`)
      .limit(max);
    return rows.map((r) => r.key);
  }

  identitiesOf(tx: TenantTx, contactIds: string[]): Promise<IdentityRow[]> {
    if (!contactIds.length) return Promise.resolve([]);
    return tx
      .select()
      .from(contactIdentities)
      .where(inArray(contactIdentities.contactId, contactIds))
      .orderBy(asc(contactIdentities.createdAt), asc(contactIdentities.id));
  }

  /** The first of `identities` that belongs to a contact other than `exceptContactId`. */
  async findTakenIdentity(
    tx: TenantTx,
    identities: { channelType: string; identifier: string }[],
    exceptContactId?: string,
  ): Promise<IdentityRow | undefined> {
    if (!identities.length) return undefined;
    const [row] = await tx
      .select()
      .from(contactIdentities)
      .where(
        and(
          or(
            ...identities.map((i) =>
              and(
                eq(contactIdentities.channelType, i.channelType),
                eq(contactIdentities.identifier, i.identifier),
              ),
            ),
          ),
          exceptContactId ? ne(contactIdentities.contactId, exceptContactId) : undefined,
        ),
      )
      .limit(1);
    return row;
  }

  async insert(tx: TenantTx, values: NewContactRow): Promise<ContactRow> {
    const [row] = await tx.insert(contacts).values(values).returning();
    return row!;
  }

  async update(tx: TenantTx, id: string, values: Partial<NewContactRow>): Promise<ContactRow | undefined> {
    const [row] = await tx
      .update(contacts)
      .set({ ...values, updatedAt: sql`now()` })
      .where(eq(contacts.id, id))
      .returning();
    return row;
  }

  async delete(tx: TenantTx, id: string): Promise<boolean> {
    const rows = await tx.delete(contacts).where(eq(contacts.id, id)).returning({ id: contacts.id });
    return rows.length > 0;
  }

  async replaceIdentities(
    tx: TenantTx,
    tenantId: string,
    contactId: string,
    identities: { channelType: string; identifier: string }[],
  ): Promise<void> {
    await tx.delete(contactIdentities).where(eq(contactIdentities.contactId, contactId));
    if (identities.length)
      await tx.insert(contactIdentities).values(identities.map((i) => ({ ...i, tenantId, contactId })));
  }

  async moveIdentities(tx: TenantTx, fromId: string, toId: string): Promise<void> {
    await tx
      .update(contactIdentities)
      .set({ contactId: toId })
      .where(eq(contactIdentities.contactId, fromId));
  }

  /** Merging contacts re-points their conversations; the conversations module owns everything else about them. */
  async moveConversations(tx: TenantTx, fromId: string, toId: string): Promise<number> {
    const rows = await tx
      .update(conversations)
      .set({ contactId: toId, updatedAt: sql`now()` })
      .where(eq(conversations.contactId, fromId))
      .returning({ id: conversations.id });
    return rows.length;
  }

  /**
   * One statement for a batch of CSV rows, keyed on phone (or on email for rows without a phone), through the
   * partial unique indexes. Existing contacts keep what the row leaves empty: tags are added, custom fields
   * merged (the file wins), name and email only replaced when given. `inserted` tells created from updated.
   */
  upsertBatch(
    tx: TenantTx,
    tenantId: string,
    rows: ImportRow[],
    key: 'phone' | 'email',
    setOptedIn: boolean,
  ): Promise<{ id: string; inserted: boolean }[]> {
    const keyColumn = key === 'phone' ? contacts.phone : contacts.email;
    return tx
      .insert(contacts)
      .values(
        rows.map((r) => ({
          tenantId,
          phone: r.phone,
          name: r.name,
          email: r.email,
          tags: r.tags,
          customFields: r.customFields,
          optedIn: r.optedIn ?? false,
        })),
      )
      .onConflictDoUpdate({
        target: [contacts.tenantId, keyColumn],
        targetWhere: sql`${sql.identifier(key)} is not null`,
        set: {
          name: sql`coalesce(excluded.name, contacts.name)`,
          email: sql`coalesce(excluded.email, contacts.email)`,
          phone: sql`coalesce(contacts.phone, excluded.phone)`,
          tags: sql`contacts.tags || array(select t from unnest(excluded.tags) t where t <> all(contacts.tags))`,
          customFields: sql`contacts.custom_fields || excluded.custom_fields`,
          ...(setOptedIn ? { optedIn: sql`excluded.opted_in` } : {}),
          updatedAt: sql`now()`,
        },
      })
      .returning({ id: contacts.id, inserted: sql<boolean>`(xmax = 0)` });
  }
}
