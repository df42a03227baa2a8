import { Injectable, type OnModuleInit } from '@nestjs/common';
import { ZAiResponseNodeData } from '@orbitdesk/shared';
import { FlowNodeRegistry } from '../../engine/flow-node-registry.js';
import type { FlowNode, FlowRunContext, NodeHandler, NodeResult } from '../../engine/node-handler.js';
import { renderTemplate } from '../template.js';
import { fail, parseNodeData } from '../util/node-data.js';
import { FlowAiClient, FlowDependencyError, type FlowAiRequest } from './flow-ai-client.js';

/** Where the answer is stored when the node names no variable, for a later `{{vars.aiResponse}}`. */
export const DEFAULT_AI_VARIABLE = 'aiResponse';

/**
 * AI Response (data: packages/shared ZAiResponseNodeData): asks the AI service to answer the contact's message
 * following the node's prompt; the service posts the answer in the conversation when `sendToContact` is set.
 * The answer is also stored in `saveAs` (default `aiResponse`) so later nodes can test or reuse it.
 */
@Injectable()
export class AiResponseNode implements NodeHandler, OnModuleInit {
  readonly type = 'ai_response';

  constructor(
    private readonly registry: FlowNodeRegistry,
    private readonly ai: FlowAiClient,
  ) {}

  onModuleInit(): void {
    this.registry.register(this);
  }

  async execute(node: FlowNode, ctx: FlowRunContext): Promise<NodeResult> {
    const parsed = parseNodeData(ZAiResponseNodeData, node);
    if (!parsed.ok) return parsed.result;
    const { sendToContact, saveAs, agentId } = parsed.data;
    const request: FlowAiRequest = {
      tenantId: ctx.tenantId,
      ...(agentId ? { agentId } : {}),
      contactId: ctx.contact?.id ?? null,
      conversationId: ctx.conversationId,
      prompt: renderTemplate(parsed.data.prompt, ctx),
      message: ctx.message?.text ?? null,
      sendToContact,
    };
    if (!request.prompt.trim()) return fail(node, 'prompt: renders to nothing');
    if (sendToContact && !ctx.conversationId) {
      return fail(
        node,
        'sendToContact: this run has no conversation to answer in (turn it off to only store the answer)',
      );
    }
    if (ctx.testMode) {
      const { prompt, message } = request;
      return { kind: 'next', output: { testMode: true, wouldAsk: { prompt, message, sendToContact } } };
    }
    try {
      const { text, sent } = await this.ai.reply(request, ctx.signal);
      return { kind: 'next', vars: { [saveAs ?? DEFAULT_AI_VARIABLE]: text }, output: { text, sent } };
    } catch (err) {
      if (err instanceof FlowDependencyError) return fail(node, err.message);
      return fail(node, `the AI service failed: ${(err as Error).message}`);
    }
  }
}
