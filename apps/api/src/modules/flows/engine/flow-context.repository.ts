import { Injectable } from '@nestjs/common';
import type { TContact } from '@orbitdesk/shared';
import { and, desc, eq, sql } from 'drizzle-orm';
import type { TenantTx } from '../../../db/database.js';
import {
  channels,
  contactIdentities,
  contacts,
  conversations,
  tenantSequences,
} from '../../../db/schema/index.js';
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

  /**
   * A webhook run's contact: the one with `identifier` on the inbox's channel type (created, with its address,
   * when new), and their latest conversation on that inbox (opened when none). Undefined when the inbox is not
   * this workspace's (RLS hides it) or is disabled.
   */
  async bindContact(
    tx: TenantTx,
    tenantId: string,
    inboxId: string,
    identifier: string,
    name: string | undefined,
  ): Promise<{ contactId: string; conversationId: string } | undefined> {
    const [inbox] = await tx
      .select({ id: channels.id, type: channels.type, isActive: channels.isActive })
      .from(channels)
      .where(eq(channels.id, inboxId));
    if (!inbox?.isActive) return undefined;
    // The same lock the inbound pipeline takes on an address, so a message arriving now cannot make a twin.
    await tx.execute(
      sql`select pg_advisory_xact_lock(hashtextextended(${`${tenantId}:${inbox.type}:${identifier}`}, 0))`,
    );
    const [known] = await tx
      .select({ contactId: contactIdentities.contactId })
      .from(contactIdentities)
      .where(
        and(eq(contactIdentities.channelType, inbox.type), eq(contactIdentities.identifier, identifier)),
      );
    let contactId = known?.contactId;
    if (!contactId) {
      const [created] = await tx
        .insert(contacts)
        .values({ tenantId, name: name || null })
        .returning({ id: contacts.id });
      contactId = created!.id;
      await tx.insert(contactIdentities).values({ tenantId, contactId, channelType: inbox.type, identifier });
    }
    const [latest] = await tx
      .select({ id: conversations.id })
      .from(conversations)
      .where(and(eq(conversations.contactId, contactId), eq(conversations.channelId, inbox.id)))
      .orderBy(desc(conversations.createdAt))
      .limit(1);
    if (latest) return { contactId, conversationId: latest.id };
    const [seq] = await tx
      .insert(tenantSequences)
      .values({ tenantId, name: 'conversation', value: 1 })
      .onConflictDoUpdate({
        target: [tenantSequences.tenantId, tenantSequences.name],
        set: { value: sql`${tenantSequences.value} + 1` },
      })
      .returning({ value: tenantSequences.value });
    const [conversation] = await tx
      .insert(conversations)
      .values({ tenantId, number: Number(seq!.value), channelId: inbox.id, contactId })
      .returning({ id: conversations.id });
    return { contactId, conversationId: conversation!.id };
  }
}
