import type { TContact } from '@orbitdesk/shared';
import type { contactIdentities, contacts } from '../../db/schema/index.js';

export type ContactRow = typeof contacts.$inferSelect;
export type ContactIdentityRow = typeof contactIdentities.$inferSelect;

/** The contact as the API shows it; `identities` may hold other contacts' rows too (a page's worth). */
export const toContactDto = (
  r: ContactRow,
  identities: Pick<ContactIdentityRow, 'contactId' | 'channelType' | 'identifier'>[],
): TContact => ({
  id: r.id,
  phone: r.phone,
  name: r.name,
  email: r.email,
  tags: r.tags,
  customFields: r.customFields,
  optedIn: r.optedIn,
  isOnDncList: r.isOnDncList,
  avatarUrl: r.avatarUrl,
  identities: identities
    .filter((i) => i.contactId === r.id)
    .map((i) => ({
      channelType: i.channelType as TContact['identities'][number]['channelType'],
      identifier: i.identifier,
    })),
  createdAt: r.createdAt.toISOString(),
  updatedAt: r.updatedAt.toISOString(),
});
