import { Injectable } from '@nestjs/common';
import { and, desc, eq, or, sql } from 'drizzle-orm';
import type { TenantTx } from '../../db/database.js';
import {
  contactIdentities,
  contacts,
  conversations,
  messages,
  tenantSequences,
} from '../../db/schema/index.js';
import type {
  ContactIdentityRow,
  ContactRow,
  ConversationRow,
  MessageRow,
} from '../conversations/conversation-dto.js';

type NewMessage = typeof messages.$inferInsert;

/** The queries of the inbound pipeline: contact, conversation and message in one tenant transaction. */
@Injectable()
export class ChannelPipelineRepository {
  /**
   * Serialises ingestion per contact address (tenant, channel type, identifier): two deliveries from the same
   * person cannot both create the contact or both open a conversation. Held until the transaction ends.
   */
  async lockContactAddress(
    tx: TenantTx,
    tenantId: string,
    channelType: string,
    identifier: string,
  ): Promise<void> {
    const key = `inbound:${tenantId}:${channelType}:${identifier}`;
    await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${key}, 0))`);
  }

  async findMessageByProviderId(
    tx: TenantTx,
    channelId: string,
    providerMessageId: string,
  ): Promise<MessageRow | undefined> {
    const [row] = await tx
      .select()
      .from(messages)
      .where(and(eq(messages.channelId, channelId), eq(messages.providerMessageId, providerMessageId)));
    return row;
  }

  async findContactByIdentity(
    tx: TenantTx,
    channelType: string,
    identifier: string,
  ): Promise<ContactRow | undefined> {
    const [row] = await tx
      .select({ contact: contacts })
      .from(contactIdentities)
      .innerJoin(contacts, eq(contacts.id, contactIdentities.contactId))
      .where(
        and(eq(contactIdentities.channelType, channelType), eq(contactIdentities.identifier, identifier)),
      );
    return row?.contact;
  }

  async findContactByPhoneOrEmail(
    tx: TenantTx,
    phone: string | null,
    email: string | null,
  ): Promise<ContactRow | undefined> {
    const match = [
      phone ? eq(contacts.phone, phone) : undefined,
      email ? eq(contacts.email, email) : undefined,
    ];
    if (!phone && !email) return undefined;
    // A phone match wins over an email match.
    const [row] = await tx
      .select()
      .from(contacts)
      .where(or(...match))
      .orderBy(phone ? sql`${contacts.phone} = ${phone} desc` : sql`1`)
      .limit(1);
    return row;
  }

  /** Nothing is returned when the phone or email belongs to another contact meanwhile (unique indexes). */
  async insertContact(
    tx: TenantTx,
    values: { tenantId: string; name: string | null; phone: string | null; email: string | null },
  ): Promise<ContactRow | undefined> {
    const [row] = await tx.insert(contacts).values(values).onConflictDoNothing().returning();
    return row;
  }

  /** A name learned from the channel fills an empty one; it never overwrites what an agent typed. */
  async fillContactName(tx: TenantTx, id: string, name: string): Promise<ContactRow> {
    const [row] = await tx
      .update(contacts)
      .set({ name, updatedAt: sql`now()` })
      .where(and(eq(contacts.id, id), sql`${contacts.name} is null`))
      .returning();
    if (row) return row;
    const [current] = await tx.select().from(contacts).where(eq(contacts.id, id));
    return current!;
  }

  async insertIdentity(
    tx: TenantTx,
    values: { tenantId: string; contactId: string; channelType: string; identifier: string },
  ): Promise<void> {
    await tx
      .insert(contactIdentities)
      .values(values)
      .onConflictDoNothing({
        target: [contactIdentities.tenantId, contactIdentities.channelType, contactIdentities.identifier],
      });
  }

  listIdentities(tx: TenantTx, contactId: string): Promise<ContactIdentityRow[]> {
    return tx
      .select()
      .from(contactIdentities)
      .where(eq(contactIdentities.contactId, contactId))
      .orderBy(contactIdentities.createdAt);
  }

  /** The contact's most recent conversation on this inbox, locked for the update that follows. */
  async latestConversation(
    tx: TenantTx,
    contactId: string,
    channelId: string,
  ): Promise<ConversationRow | undefined> {
    const [row] = await tx
      .select()
      .from(conversations)
      .where(and(eq(conversations.contactId, contactId), eq(conversations.channelId, channelId)))
      .orderBy(desc(conversations.createdAt), desc(conversations.id))
      .limit(1)
      .for('update');
    return row;
  }

  /** The next value of a per-tenant counter; the row lock makes concurrent callers take turns. */
  async nextSequence(tx: TenantTx, tenantId: string, name: string): Promise<number> {
    const [row] = await tx
      .insert(tenantSequences)
      .values({ tenantId, name, value: 1 })
      .onConflictDoUpdate({
        target: [tenantSequences.tenantId, tenantSequences.name],
        set: { value: sql`${tenantSequences.value} + 1` },
      })
      .returning({ value: tenantSequences.value });
    return row!.value;
  }

  async insertConversation(
    tx: TenantTx,
    values: { tenantId: string; number: number; channelId: string; contactId: string },
  ): Promise<ConversationRow> {
    const [row] = await tx.insert(conversations).values(values).returning();
    return row!;
  }

  /** Undefined when a message with this provider id is already stored (a redelivery). */
  async insertMessage(tx: TenantTx, values: NewMessage): Promise<MessageRow | undefined> {
    const [row] = await tx
      .insert(messages)
      .values(values)
      .onConflictDoNothing({
        target: [messages.tenantId, messages.channelId, messages.providerMessageId],
        where: sql`${messages.providerMessageId} is not null`,
      })
      .returning();
    return row;
  }

  /**
   * Bookkeeping for an inbound message: preview, unread count, the wait clock, and the start of the service
   * window (the provider's send time, never later than now, never moving backwards). A resolved or snoozed
   * conversation opens again.
   */
  async applyInbound(
    tx: TenantTx,
    id: string,
    m: { preview: string; at: Date; sentAt: Date | null },
  ): Promise<ConversationRow> {
    const sentAt = m.sentAt ? sql`least(${m.sentAt.toISOString()}::timestamptz, now())` : sql`now()`;
    const [row] = await tx
      .update(conversations)
      .set({
        status: sql`case when ${conversations.status} in ('resolved', 'snoozed') then 'open' else ${conversations.status} end`,
        snoozedUntil: sql`case when ${conversations.status} = 'snoozed' then null else ${conversations.snoozedUntil} end`,
        lastMessagePreview: m.preview,
        lastMessageAt: sql`greatest(${conversations.lastMessageAt}, ${m.at.toISOString()}::timestamptz)`,
        unreadCount: sql`${conversations.unreadCount} + 1`,
        waitingSince: sql`coalesce(${conversations.waitingSince}, now())`,
        lastInboundAt: sql`greatest(${conversations.lastInboundAt}, ${sentAt})`,
        updatedAt: sql`now()`,
      })
      .where(eq(conversations.id, id))
      .returning();
    return row!;
  }

  async findConversation(tx: TenantTx, id: string): Promise<ConversationRow | undefined> {
    const [row] = await tx.select().from(conversations).where(eq(conversations.id, id));
    return row;
  }

  async findOutboundByProviderId(
    tx: TenantTx,
    channelId: string,
    providerMessageId: string,
  ): Promise<MessageRow | undefined> {
    const [row] = await tx
      .select()
      .from(messages)
      .where(
        and(
          eq(messages.channelId, channelId),
          eq(messages.providerMessageId, providerMessageId),
          eq(messages.direction, 'out'),
        ),
      )
      .for('update');
    return row;
  }

  async setStatus(
    tx: TenantTx,
    id: string,
    values: Pick<MessageRow, 'status' | 'failureReason'>,
  ): Promise<MessageRow> {
    const [row] = await tx
      .update(messages)
      .set({ ...values, updatedAt: sql`now()` })
      .where(eq(messages.id, id))
      .returning();
    return row!;
  }
}
