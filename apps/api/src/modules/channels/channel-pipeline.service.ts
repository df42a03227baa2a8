import { Injectable, Optional } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  messagePreview,
  type MessageStatusValue,
  type NormalizedMessage,
  type TConversation,
  type TMessage,
  ZNormalizedMessage,
} from '@orbitdesk/shared';
import { DomainEvents } from '../../common/events/domain-events.js';
import { AppError, notFound } from '../../common/http/errors.js';
import { requestContext } from '../../common/tenancy/request-context.js';
import { TenantDb } from '../../common/tenancy/tenant-db.service.js';
import type { TenantTx } from '../../db/database.js';
import { AssignmentService } from '../conversations/assignment.service.js';
import { toContactDto } from '../contacts/contact-dto.js';
import { normalizePhone } from '../contacts/contact-normalize.js';
import { toConversationDto, toMessageDto } from '../conversations/conversation-dto.js';
import { isUniqueViolation } from '../../db/query-helpers.js';
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

/**
 * Every channel's inbound messages end here, already normalized: one transaction stores the contact, the
 * conversation and the message, and the domain events go out after it commits. Runs inside the tenant that owns
 * the channel (the caller sets the request context after verifying the webhook).
 */
/**
 * A provider's delivery report can overtake the send it is about (the provider calls back before the worker has
 * stored the message's provider id): the pauses before trying such a report again (updateStatusOnceKnown).
 */
export const PROVIDER_REPORT_RETRY_MS: readonly number[] = [1_000, 3_000];

@Injectable()
export class ChannelPipelineService {
  constructor(
    private readonly tenantDb: TenantDb,
    private readonly repo: ChannelPipelineRepository,
    private readonly events: DomainEvents,
    // AssignmentModule in the API, AssignmentWorkerModule in the worker; optional so a process without either
    // (a script) still ingests, leaving conversations unassigned.
    @Optional() private readonly assignment?: AssignmentService,
  ) {}

  async ingest(input: NormalizedMessage): Promise<IngestResult> {
    // Normalizers are ours, but a malformed message must not reach the tables (a ZodError here is a 500: our bug).
    const n = ZNormalizedMessage.parse(input);
    const tenantId = requestContext.tenantId();
    let outcome: Awaited<ReturnType<ChannelPipelineService['store']>>;
    try {
      outcome = await this.store(tenantId, n);
    } catch (err) {
      if (!(err instanceof AlreadyStored) || !n.providerMessageId) throw err;
      const providerMessageId = n.providerMessageId;
      return this.tenantDb.run(async (tx) => this.duplicateOf(tx, n.channelId, providerMessageId));
    }
    const { result, created, reopened, newContact } = outcome;
    if (result.duplicate) return result;
    if (newContact) this.events.publish('contact.created', { tenantId, contact: newContact });
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
    // The provider's answer goes after the events: the agents' frames leave first, in the same turn.
    await this.events.delivered();
    // After the commit and its events: assignment is a change of its own (conversation.updated).
    if ((created || reopened) && this.assignment) {
      return {
        ...result,
        conversation: await this.assignment.assignOnArrival(tenantId, result.conversation),
      };
    }
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

  /**
   * updateStatus for a report that can overtake the send it reports on (the provider, or our own widget, hears of
   * the message before the worker has stored its provider id): an unknown id is tried again after each of
   * `pausesMs`, then given up. Resolves false when it was never found; other errors are thrown.
   */
  async updateStatusOnceKnown(
    channelId: string,
    providerMessageId: string,
    update: StatusUpdate,
    pausesMs: readonly number[],
  ): Promise<boolean> {
    for (let attempt = 0; ; attempt++) {
      try {
        await this.updateStatus(channelId, providerMessageId, update);
        return true;
      } catch (err) {
        if (!(err instanceof AppError && err.getStatus() === 404)) throw err;
        const pause = pausesMs[attempt];
        if (pause === undefined) return false;
        await sleep(pause);
      }
    }
  }

  private async store(tenantId: string, n: NormalizedMessage) {
    let outcome;
    try {
      outcome = await this.repo.ingest(tenantId, {
        channelId: n.channelId,
        channelType: n.channelType,
        providerMessageId: n.providerMessageId ?? null,
        type: n.type,
        content: n.content,
        preview: messagePreview(n.type, n.content),
        sentAt: n.sentAt ?? null,
        conversationId: n.conversationId ?? null,
        newConversation: n.newConversation ?? false,
        direction: n.direction ?? 'in',
        contact: {
          identifier: n.contact.identifier,
          name: n.contact.name ?? null,
          phone: n.contact.phone ? normalizePhone(n.contact.phone) : null,
          email: n.contact.email?.toLowerCase() ?? null,
        },
      });
    } catch (err) {
      // The same provider message id stored by a concurrent delivery that passed the duplicate check first.
      if (isUniqueViolation(err)) throw new AlreadyStored();
      throw err;
    }
    return {
      result: {
        duplicate: outcome.duplicate,
        message: toMessageDto(outcome.message),
        conversation: toConversationDto(outcome.conversation),
      },
      created: outcome.conversationCreated,
      reopened: outcome.conversationReopened,
      // A contact made here has exactly the one address it wrote from.
      newContact: outcome.contact
        ? toContactDto(outcome.contact, [
            { contactId: outcome.contact.id, channelType: n.channelType, identifier: n.contact.identifier },
          ])
        : null,
    };
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
