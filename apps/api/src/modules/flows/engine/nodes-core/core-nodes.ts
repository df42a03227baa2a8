import { HumanHandoffNode } from './human-handoff.node.js';
import { SendMessageNode } from './send-message.node.js';
import { DelayNode, EndNode, TriggerNode } from './simple.nodes.js';
import { WaitForReplyNode } from './wait-for-reply.node.js';

/**
 * The node types the engine itself owns (they touch sessions' waiting and the inbox); each registers itself in
 * FlowNodeRegistry. Provided by the flows modules of the API and the worker, which supply MessagesService and
 * ConversationsService.
 */
export const CORE_NODE_HANDLERS = [
  TriggerNode,
  EndNode,
  DelayNode,
  WaitForReplyNode,
  SendMessageNode,
  HumanHandoffNode,
];
