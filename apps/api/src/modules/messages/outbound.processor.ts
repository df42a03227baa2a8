import { Injectable, Logger } from '@nestjs/common';
import { UnrecoverableError, type Job } from 'bullmq';
import type { OutboundJobData } from '../../common/queue/queue.constants.js';
import { DomainEvents } from '../../common/events/domain-events.js';
import { requestContext } from '../../common/tenancy/request-context.js';
import { TenantDb } from '../../common/tenancy/tenant-db.service.js';
import { isUniqueViolation } from '../../db/query-helpers.js';
import { ChannelRouterService } from '../channels/channel-router.service.js';
import { ChannelSendError, type SendResult } from '../channels/message-channel.js';
import { toConversationDto, toMessageDto, type MessageRow } from '../conversations/conversation-dto.js';
import { toContactDto } from '../contacts/contact-dto.js';
import { MessagesRepository } from './messages.repository.js';

/**
 * One `outbound` job: deliver a queued message through its channel's adapter. Permanent refusals fail the
 * message at once; anything else is thrown so BullMQ retries with backoff, and the last attempt fails it.
 */
@Injectable()
export class OutboundProcessor {
  private readonly logger = new Logger('OutboundProcessor');

  constructor(
    private readonly tenantDb: TenantDb,
    private readonly repo: MessagesRepository,
    private readonly router: ChannelRouterService,
    private readonly events: DomainEvents,
  ) {}

  process(job: Job<OutboundJobData>): Promise<void> {
    const { tenantId, messageId } = job.data;
    return requestContext.run({ tenantId, requestId: `job:outbound:${job.id}` }, () =>
      this.deliver(job, tenantId, messageId),
    );
  }

  private async deliver(job: Job<OutboundJobData>, tenantId: string, messageId: string): Promise<void> {
    const bundle = await this.tenantDb.run((tx) => this.repo.loadForSend(tx, messageId));
    // Deleted with its inbox, or already handled by an earlier run of this job: nothing to send.
    if (!bundle || bundle.message.status !== 'queued' || bundle.message.isPrivate) return;

    const adapter = this.router.adapterFor(bundle.channel.type);
    let result: SendResult;
    try {
      if (!adapter)
        throw new ChannelSendError(true, `No adapter can send on ${bundle.channel.type} channels`);
      if (!bundle.channel.isActive) throw new ChannelSendError(true, 'The inbox is disabled');
      result = await adapter.send({
        tenantId,
        channel: bundle.channel,
        conversation: toConversationDto(bundle.conversation),
        contact: toContactDto(bundle.contact, bundle.identities),
        message: toMessageDto(bundle.message),
        // Kept on the job and on the message: a job re-added by the recovery sweep (Redis lost the first) starts
        // from the message's count.
        progress: {
          partsSent: Math.max(job.data.partsSent ?? 0, bundle.message.partsSent),
          recordPartsSent: async (n) => {
            await this.tenantDb.run((tx) => this.repo.recordPartsSent(tx, messageId, n));
            await job.updateData({ ...job.data, partsSent: n });
          },
        },
      });
    } catch (err) {
      const permanent = err instanceof ChannelSendError && err.permanent;
      const reason = err instanceof ChannelSendError ? err.reason : `Send failed: ${(err as Error).message}`;
      const lastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      if (permanent || lastAttempt) await this.fail(tenantId, messageId, reason);
      this.logger.warn(
        `message ${messageId} attempt ${job.attemptsMade + 1}: ${reason}${permanent ? ' (permanent)' : ''}`,
      );
      // UnrecoverableError tells BullMQ not to retry.
      throw permanent ? new UnrecoverableError(reason) : err;
    }
    await this.markSent(tenantId, messageId, result.providerMessageId);
  }

  private async markSent(
    tenantId: string,
    messageId: string,
    providerMessageId: string | null,
  ): Promise<void> {
    let row: MessageRow | undefined;
    try {
      row = await this.tenantDb.run((tx) =>
        this.repo.transition(tx, messageId, 'queued', { status: 'sent', providerMessageId }),
      );
    } catch (err) {
      if (!isUniqueViolation(err) || providerMessageId === null) throw err;
      // The provider reused an id it gave another message; keep the send, drop the id rather than resend.
      this.logger.warn(
        `message ${messageId}: provider id ${providerMessageId} is already taken; stored without it`,
      );
      row = await this.tenantDb.run((tx) =>
        this.repo.transition(tx, messageId, 'queued', { status: 'sent' }),
      );
    }
    if (row) this.events.publish('message.status', { tenantId, message: toMessageDto(row) });
  }

  private async fail(tenantId: string, messageId: string, reason: string): Promise<void> {
    const row = await this.tenantDb.run((tx) =>
      this.repo.transition(tx, messageId, 'queued', {
        status: 'failed',
        failureReason: reason.slice(0, 1000),
      }),
    );
    if (row) this.events.publish('message.status', { tenantId, message: toMessageDto(row) });
  }
}
