import { Injectable, type OnModuleInit } from '@nestjs/common';
import { flowDurationMs, WAIT_TIMEOUT_PORT, ZWaitForReplyNodeData } from '@orbitdesk/shared';
import { FlowNodeRegistry } from '../flow-node-registry.js';
import type { FlowNode, FlowRunContext, NodeHandler, NodeResult, ResumeCause } from '../node-handler.js';
import { fail, parseNodeData } from '../../nodes/util/node-data.js';

/**
 * Wait for Reply: the session waits until the contact's next inbound message (which resumes it before any
 * trigger fires) or, when a timeout is set, until the time passes; then it takes the `timeout` port.
 */
@Injectable()
export class WaitForReplyNode implements NodeHandler, OnModuleInit {
  readonly type = 'wait_for_reply';
  constructor(private readonly registry: FlowNodeRegistry) {}
  onModuleInit(): void {
    this.registry.register(this);
  }

  execute(node: FlowNode, ctx: FlowRunContext): Promise<NodeResult> {
    const parsed = parseNodeData(ZWaitForReplyNodeData, node);
    if (!parsed.ok) return Promise.resolve(parsed.result);
    if (!ctx.contact)
      return Promise.resolve(fail(node, 'this run has no contact whose reply could be awaited'));
    const { timeout } = parsed.data;
    const until = timeout ? new Date(Date.now() + flowDurationMs(timeout)) : undefined;
    return Promise.resolve({
      kind: 'wait',
      forReply: true,
      ...(until ? { until, timeoutPort: WAIT_TIMEOUT_PORT } : {}),
      output: { waitingForReply: true, until: until?.toISOString() ?? null },
    });
  }

  /** A reply continues on the default port with its text saved (when `saveAs` is set); a timeout on `timeout`. */
  resume(node: FlowNode, ctx: FlowRunContext, cause: ResumeCause): Promise<NodeResult> {
    if (cause !== 'reply')
      return Promise.resolve({ kind: 'next', port: WAIT_TIMEOUT_PORT, output: { timedOut: true } });
    const parsed = parseNodeData(ZWaitForReplyNodeData, node);
    if (!parsed.ok) return Promise.resolve(parsed.result);
    const text = ctx.message?.text ?? null;
    const { saveAs } = parsed.data;
    return Promise.resolve({
      kind: 'next',
      output: { reply: text },
      ...(saveAs ? { vars: { [saveAs]: text } } : {}),
    });
  }
}
