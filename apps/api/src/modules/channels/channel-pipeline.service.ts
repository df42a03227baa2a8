import { Injectable } from '@nestjs/common';
import {
  messagePreview,
  type MessageStatusValue,
  type NormalizedMessage,
  type TConversation,
  type TMessage,
  ZNormalizedMessage,
} from '@orbitdesk/shared';
import { parsePhoneNumberFromString } from 'libphonenumber-js';
import { DomainEvents } from '../../common/events/domain-events.js';
import { notFound } from '../../common/http/errors.js';
import { requestContext } from '../../common/tenancy/request-context.js';
import { TenantDb } from '../../common/tenancy/tenant-db.service.js';
import type { TenantTx } from '../../db/database.js';
import { toConversationDto, toMessageDto, type ContactRow } from '../conversations/conversation-dto.js';
import { ChannelPipelineRepository } from './channel-pipeline.repository.js';

export interface IngestResult {
  duplicate: boolean;
  message: TMessage;
  conversation: TConversation;
}

export type StatusUpdate = { status: 'delivered' | 'read' } | { status: 'failed'; reason: string };

/** Thrown inside the transaction to roll it back when a concurrent delivery stored the message first. */
class AlreadyStored extends Error {}

/** Outbound progress only moves forward; a late "delivered" after "read" changes nothing. */
const PROGRESS: Partial<Record<MessageStatusValue, number>> = { queued: 0, sent: 1, delivered: 2, read: 3 };

const toE164 = (phone: string | undefined): string | null => {
  const parsed = phone ? parsePhoneNumberFromString(phone) : undefined;
  return parsed?.isValid() ? parsed.number : null;
};

/**
 * Every channel's inbound messages end here, already normalized: one transaction stores the contact, the
 * conversation and the message, and the domain events go out after it commits. Runs inside the tenant that owns
 * the channel (the caller sets the request context after verifying the webhook).
 */
@Injectable()
export class ChannelPipelineService {
  constructor(
    private readonly tenantDb: TenantDb,
    private readonly repo: ChannelPipelineRepository,
    private readonly events: DomainEvents,
  ) {}

  async ingest(input: NormalizedMessage): Promise<IngestResult> {
    // Normalizers are ours, but a malformed message must not reach the tables (a ZodError here is a 500: our bug).
    const n = ZNormalizedMessage.parse(input);
    const tenantId = requestContext.tenantId();
    let outcome: { result: IngestResult; created: boolean; reopened: boolean };
    try {
      outcome = await this.tenantDb.run((tx) => this.store(tx, tenantId, n));
    } catch (err) {
      if (!(err instanceof AlreadyStored) || !n.providerMessageId) throw err;
      const providerMessageId = n.providerMessageId;
      return this.tenantDb.run(async (tx) => this.duplicateOf(tx, n.channelId, providerMessageId));
    }
    const { result, created, reopened } = outcome;
    if (result.duplicate) return result;
    if (created) this.events.publish('conversation.created', { tenantId, conversation: result.conversation });
    if (reopened) {
      this.events.publish('conversation.updated', {
        tenantId,
        conversation: result.conversation,
        changes: ['status'],
      });
    }
    this.events.publish('message.created', {
      tenantId,
      message: result.message,
      conversation: result.conversation,
    });
    return result;
  }

  /**
   * A provider's delivery report for an outbound message, by the provider's message id. Unknown ids answer 404;
   * stale reports (the message already got this far) change nothing and publish nothing.
   */
  async updateStatus(
    channelId: string,
    providerMessageId: string,
    update: StatusUpdate,
  ): Promise<{ message: TMessage; changed: boolean }> {
    const tenantId = requestContext.tenantId();
    const outcome = await this.tenantDb.run(async (tx) => {
      const row = await this.repo.findOutboundByProviderId(tx, channelId, providerMessageId);
      if (!row) throw notFound('Message');
      const from = PROGRESS[row.status];
      const allowed =
        update.status === 'failed'
          ? row.status === 'queued' || row.status === 'sent'
          : from !== undefined && PROGRESS[update.status]! > from;
      if (!allowed) return { row, changed: false };
      const updated = await this.repo.setStatus(tx, row.id, {
        status: update.status,
        failureReason: update.status === 'failed' ? update.reason : null,
      });
      return { row: updated, changed: true };
    });
    const message = toMessageDto(outcome.row);
    if (outcome.changed) this.events.publish('message.status', { tenantId, message });
    return { message, changed: outcome.changed };
  }

  private async store(tx: TenantTx, tenantId: string, n: NormalizedMessage) {
    const identifier = n.contact.identifier;
    await this.repo.lockContactAddress(tx, tenantId, n.channelType, identifier);
    if (n.providerMessageId) {
      const existing = await this.repo.findMessageByProviderId(tx, n.channelId, n.providerMessageId);
      if (existing) {
        return {
          result: await this.duplicateOf(tx, n.channelId, n.providerMessageId),
          created: false,
          reopened: false,
        };
      }
    }

    const contact = await this.upsertContact(tx, tenantId, n);

    let conversation = await this.repo.latestConversation(tx, contact.id, n.channelId);
    const created = !conversation;
    const reopened = conversation?.status === 'resolved' || conversation?.status === 'snoozed';
    conversation ??= await this.repo.insertConversation(tx, {
      tenantId,
      number: await this.repo.nextSequence(tx, tenantId, 'conversation'),
      channelId: n.channelId,
      contactId: contact.id,
    });

    const message = await this.repo.insertMessage(tx, {
      tenantId,
      conversationId: conversation.id,
      channelId: n.channelId,
      direction: 'in',
      type: n.type,
      content: n.content,
      providerMessageId: n.providerMessageId ?? null,
      status: 'received',
      senderType: 'contact',
      senderId: contact.id,
    });
    if (!message) throw new AlreadyStored();

    const updated = await this.repo.applyInbound(tx, conversation.id, {
      preview: messagePreview(n.type, n.content),
      at: message.createdAt,
      sentAt: n.sentAt ? new Date(n.sentAt) : null,
    });
    return {
      result: { duplicate: false, message: toMessageDto(message), conversation: toConversationDto(updated) },
      created,
      reopened,
    };
  }

  /**
   * Contact by its address on this channel type; else by phone or email (the same person reaching out on a new
   * channel); else a new contact. The address is then linked to it.
   */
  private async upsertContact(tx: TenantTx, tenantId: string, n: NormalizedMessage): Promise<ContactRow> {
    const { identifier, name } = n.contact;
    const phone = toE164(n.contact.phone);
    const email = n.contact.email?.toLowerCase() ?? null;
    let contact =
      (await this.repo.findContactByIdentity(tx, n.channelType, identifier)) ??
      (await this.repo.findContactByPhoneOrEmail(tx, phone, email));
    if (!contact) {
      contact =
        (await this.repo.insertContact(tx, { tenantId, name: name ?? null, phone, email })) ??
        // Another address of the same person created the contact meanwhile (same phone or email).
        (await this.repo.findContactByPhoneOrEmail(tx, phone, email));
      if (!contact) throw new Error('contact upsert found no contact after a conflicting insert');
    } else if (name && !contact.name) {
      contact = await this.repo.fillContactName(tx, contact.id, name);
    }
    await this.repo.insertIdentity(tx, {
      tenantId,
      contactId: contact.id,
      channelType: n.channelType,
      identifier,
    });
    return contact;
  }

  private async duplicateOf(
    tx: TenantTx,
    channelId: string,
    providerMessageId: string,
  ): Promise<IngestResult> {
    const message = await this.repo.findMessageByProviderId(tx, channelId, providerMessageId);
    const conversation = message ? await this.repo.findConversation(tx, message.conversationId) : undefined;
    if (!message || !conversation) throw new Error('duplicate message vanished');
    return { duplicate: true, message: toMessageDto(message), conversation: toConversationDto(conversation) };
  }
}
