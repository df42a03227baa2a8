import { Injectable, type OnModuleInit } from '@nestjs/common';
import {
  MESSAGE_CONTENT_SCHEMAS,
  ZSendMessageNodeData,
  type MessageType,
  type TSendMessageNodeData,
} from '@orbitdesk/shared';
import { AppError } from '../../../../common/http/errors.js';
import { MessagesService } from '../../../messages/messages.service.js';
import { renderTemplate } from '../../nodes/template.js';
import { fail, parseNodeData } from '../../nodes/util/node-data.js';
import { FlowNodeRegistry } from '../flow-node-registry.js';
import type { FlowNode, FlowRunContext, NodeHandler, NodeResult } from '../node-handler.js';

/**
 * Send Message: text, a provider template or a media file, with {{variables}} filled in, sent to the session's
 * conversation through the same path as an agent's reply (stored, queued on `outbound`, sent by the worker). In
 * test mode nothing is stored or queued; the output shows what would have been sent.
 */
@Injectable()
export class SendMessageNode implements NodeHandler, OnModuleInit {
  readonly type = 'send_message';
  constructor(
    private readonly registry: FlowNodeRegistry,
    private readonly messages: MessagesService,
  ) {}
  onModuleInit(): void {
    this.registry.register(this);
  }

  async execute(node: FlowNode, ctx: FlowRunContext): Promise<NodeResult> {
    const parsed = parseNodeData(ZSendMessageNodeData, node);
    if (!parsed.ok) return parsed.result;
    const { type, content } = compose(parsed.data, ctx);
    const checked = MESSAGE_CONTENT_SCHEMAS[type].safeParse(content);
    if (!checked.success) {
      const issue = checked.error.issues[0]!;
      return fail(
        node,
        `the ${type} message is not valid once filled in: ${issue.path.join('.')}: ${issue.message}`,
      );
    }
    if (ctx.testMode) return { kind: 'next', output: { testMode: true, wouldSend: { type, content } } };
    if (!ctx.conversationId) return fail(node, 'this run has no conversation to send to');
    try {
      const message = await this.messages.send({
        conversationId: ctx.conversationId,
        type,
        content,
        isPrivate: false,
      });
      return { kind: 'next', output: { messageId: message.id, type, content } };
    } catch (err) {
      if (err instanceof AppError) return fail(node, err.message);
      throw err;
    }
  }
}

function compose(
  data: TSendMessageNodeData,
  ctx: FlowRunContext,
): { type: MessageType; content: Record<string, unknown> } {
  switch (data.messageType) {
    case 'text':
      return { type: 'text', content: { text: renderTemplate(data.text, ctx) } };
    case 'template': {
      const { name, language, params } = data.template;
      const parameters = params.map((p) => ({ type: 'text', text: renderTemplate(p, ctx) }));
      return {
        type: 'template',
        content: {
          name,
          language,
          ...(parameters.length ? { components: [{ type: 'body', parameters }] } : {}),
        },
      };
    }
    case 'media': {
      const { mediaType, url, caption, filename } = data.media;
      return {
        type: mediaType,
        content: {
          url: renderTemplate(url, ctx),
          ...(caption ? { caption: renderTemplate(caption, ctx) } : {}),
          ...(filename ? { filename } : {}),
        },
      };
    }
  }
}
