import { Injectable, type OnModuleInit } from '@nestjs/common';
import { ZHumanHandoffNodeData } from '@orbitdesk/shared';
import { AppError } from '../../../../common/http/errors.js';
import { ConversationsService } from '../../../conversations/conversations.service.js';
import { MessagesService } from '../../../messages/messages.service.js';
import { renderTemplate } from '../../nodes/template.js';
import { fail, parseNodeData } from '../../nodes/util/node-data.js';
import { FlowNodeRegistry } from '../flow-node-registry.js';
import type { FlowNode, FlowRunContext, NodeHandler, NodeResult } from '../node-handler.js';

/**
 * Human Handoff: assigns the conversation to a team and/or an agent (the assignee is notified as with a manual
 * assignment), leaves an optional private note, and ends the session as handed off, so message triggers leave
 * the conversation to people while it stays open.
 */
@Injectable()
export class HumanHandoffNode implements NodeHandler, OnModuleInit {
  readonly type = 'human_handoff';
  constructor(
    private readonly registry: FlowNodeRegistry,
    private readonly conversations: ConversationsService,
    private readonly messages: MessagesService,
  ) {}
  onModuleInit(): void {
    this.registry.register(this);
  }

  async execute(node: FlowNode, ctx: FlowRunContext): Promise<NodeResult> {
    const parsed = parseNodeData(ZHumanHandoffNodeData, node);
    if (!parsed.ok) return parsed.result;
    const { teamId, agentId, note } = parsed.data;
    const assign = { ...(teamId ? { teamId } : {}), ...(agentId ? { assigneeId: agentId } : {}) };
    const noteText = note ? renderTemplate(note, ctx) : undefined;
    if (ctx.testMode) {
      return {
        kind: 'end',
        handedOff: true,
        output: { testMode: true, wouldAssign: assign, note: noteText },
      };
    }
    if (!ctx.conversationId) return fail(node, 'this run has no conversation to hand over');
    try {
      const conversation = await this.conversations.update(ctx.conversationId, assign);
      if (noteText?.trim()) {
        await this.messages.send({
          conversationId: ctx.conversationId,
          type: 'text',
          content: { text: noteText },
          isPrivate: true,
        });
      }
      return {
        kind: 'end',
        handedOff: true,
        output: { assigneeId: conversation.assigneeId, teamId: conversation.teamId },
      };
    } catch (err) {
      if (err instanceof AppError) return fail(node, err.message);
      throw err;
    }
  }
}
