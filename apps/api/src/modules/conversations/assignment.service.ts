import { Injectable, Logger } from '@nestjs/common';
import type { TConversation } from '@orbitdesk/shared';
import { DomainEvents } from '../../common/events/domain-events.js';
import { RedisService } from '../../common/redis/redis.module.js';
import { TenantDb } from '../../common/tenancy/tenant-db.service.js';
import { NotificationsService } from '../notifications/notifications.service.js';
import { RealtimeService } from '../realtime/realtime.service.js';
import { AssignmentRepository } from './assignment.repository.js';
import { toConversationDto } from './conversation-dto.js';
import { eligibleAgents, pickAgent } from './round-robin.js';

/** The rotation counter outlives idle periods; an inbox unused this long just starts its rotation again. */
const ROTATION_TTL_SECONDS = 30 * 24 * 3600;

/**
 * Automatic round-robin assignment of new (and reopened) conversations in inboxes with `autoAssign`: among the
 * inbox's members who are active, online (presence in Redis, shared by every API process) and below the inbox's
 * `maxOpenPerAgent`, the next one in the inbox's rotation. Nobody qualifies → the conversation stays unassigned.
 */
@Injectable()
export class AssignmentService {
  private readonly logger = new Logger('AssignmentService');

  constructor(
    private readonly tenantDb: TenantDb,
    private readonly repo: AssignmentRepository,
    private readonly realtime: RealtimeService,
    private readonly redis: RedisService,
    private readonly events: DomainEvents,
    private readonly notifications: NotificationsService,
  ) {}

  /**
   * Called after the inbound pipeline has committed a new or reopened conversation. Returns the conversation as
   * it is now (assigned or not). Never throws: a failed assignment must not fail the inbound message, the
   * conversation simply waits in the unassigned queue.
   */
  async assignOnArrival(tenantId: string, conversation: TConversation): Promise<TConversation> {
    if (conversation.assigneeId !== null || conversation.chatAgentId !== null) return conversation;
    try {
      return (await this.assign(tenantId, conversation)) ?? conversation;
    } catch (err) {
      this.logger.warn(
        `auto-assignment of conversation ${conversation.id} failed: ${(err as Error).message}`,
      );
      return conversation;
    }
  }

  /**
   * An AI chat agent handed the conversation over to people: the inbox's round-robin picks one of them now, as it
   * would have on arrival. Same rules and guarantees as assignOnArrival (never throws; nobody qualifies → the
   * conversation waits unassigned).
   */
  assignOnHandoff(tenantId: string, conversation: TConversation): Promise<TConversation> {
    return this.assignOnArrival(tenantId, conversation);
  }

  private async assign(tenantId: string, conversation: TConversation): Promise<TConversation | undefined> {
    const inbox = await this.tenantDb.run(async (tx) => {
      const settings = await this.repo.inboxSettings(tx, conversation.channelId);
      // Conversations an AI agent answers (or is about to claim) reach people by its handoff, not here.
      if (!settings?.autoAssign || (await this.repo.answeredByChatAgent(tx, conversation.id)))
        return undefined;
      return { ...settings, members: await this.repo.activeMembers(tx, conversation.channelId) };
    });
    if (!inbox?.members.length) return undefined;
    const online = new Set(await this.realtime.onlineUsers(tenantId));
    const members = inbox.members.filter((id) => online.has(id));
    if (!members.length) return undefined;

    const outcome = await this.tenantDb.run(async (tx) => {
      await this.repo.lockTenantAssignment(tx, tenantId);
      const eligible = eligibleAgents({
        members,
        online,
        openCounts: await this.repo.openCounts(tx, members),
        maxOpenPerAgent: inbox.maxOpenPerAgent,
      });
      if (!eligible.length) return undefined;
      const agent = pickAgent(eligible, await this.nextTurn(conversation.channelId));
      const row = agent ? await this.repo.assignIfUnassigned(tx, conversation.id, agent) : undefined;
      if (!row || !agent) return undefined;
      const notified = await this.notifications.create(tx, tenantId, [
        {
          userId: agent,
          type: 'assignment',
          conversationId: row.id,
          payload: { conversationNumber: row.number, assignedBy: null },
        },
      ]);
      return { row, notified };
    });
    if (!outcome) return undefined;
    const updated = toConversationDto(outcome.row);
    this.events.publish('conversation.updated', { tenantId, conversation: updated, changes: ['assigneeId'] });
    this.notifications.deliver(tenantId, outcome.notified);
    return updated;
  }

  /** The inbox's next rotation turn, shared by every API replica. */
  private async nextTurn(channelId: string): Promise<number> {
    const key = `assignment:rr:${channelId}`;
    const replies = await this.redis.client.multi().incr(key).expire(key, ROTATION_TTL_SECONDS).exec();
    const [err, turn] = replies?.[0] ?? [new Error('no reply from Redis'), null];
    if (err) throw err;
    return Number(turn);
  }
}
