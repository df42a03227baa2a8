import { Injectable } from '@nestjs/common';
import type { TContact } from '@orbitdesk/shared';
import { desc, eq } from 'drizzle-orm';
import type { TenantTx } from '../../../db/database.js';
import { contactIdentities, contacts, conversations } from '../../../db/schema/index.js';
import { toContactDto } from '../../contacts/contact-dto.js';

/** What a run reads about its contact: the contact as the API shows it, and where replies to them go. */
@Injectable()
export class FlowContextRepository {
  async contact(tx: TenantTx, id: string): Promise<TContact | undefined> {
    const [row] = await tx.select().from(contacts).where(eq(contacts.id, id));
    if (!row) return undefined;
    const identities = await tx.select().from(contactIdentities).where(eq(contactIdentities.contactId, id));
    return toContactDto(row, identities);
  }

  /** The contact's most recently active conversation, on any inbox. */
  async latestConversationId(tx: TenantTx, contactId: string): Promise<string | null> {
    const [row] = await tx
      .select({ id: conversations.id })
      .from(conversations)
      .where(eq(conversations.contactId, contactId))
      .orderBy(desc(conversations.lastMessageAt))
      .limit(1);
    return row?.id ?? null;
  }

  async conversationStatus(tx: TenantTx, id: string): Promise<string | undefined> {
    const [row] = await tx
      .select({ status: conversations.status })
      .from(conversations)
      .where(eq(conversations.id, id));
    return row?.status;
  }
}
