import type { TContact } from '@orbitdesk/shared';

/**
 * The contract between the flow executor (engine/) and the node types (nodes/). The executor walks the graph and
 * owns sessions, persistence, waiting and resuming; a node handler does one node's work and says where to go next.
 * Handlers never touch flow_sessions themselves, and never throw for a user-level problem: they return
 * `{ kind: 'fail', error }` with a plain message (it ends the run and is written to the session's log).
 */

/** The triggering webhook request, as the flow sees it (authorization, cookie and set-cookie already removed). */
export interface FlowWebhookInput {
  body: unknown;
  query: Record<string, string | string[]>;
  headers: Record<string, string>;
  method: string;
  receivedAt: string;
  token: string;
}

/** The message that started or resumed the run (the contact's latest inbound message). */
export interface FlowMessageInput {
  id: string;
  type: string;
  text: string | null;
  content: Record<string, unknown>;
}

/** What a node can read: the template scope of issue 5 ({{contact.name}}, {{message.text}}, {{vars.x}}, ...). */
export interface FlowRunContext {
  tenantId: string;
  flowId: string;
  versionId: string;
  sessionId: string;
  /** The contact the session is for; null for a webhook-triggered run that names no contact. */
  contact: TContact | null;
  /** The conversation replies go to; null when there is none (webhook run without a contact). */
  conversationId: string | null;
  message: FlowMessageInput | null;
  webhook: FlowWebhookInput | null;
  /** The session's variables; a handler returns changes in `vars`, it does not mutate this object. */
  vars: Readonly<Record<string, unknown>>;
  /** Test mode: nothing reaches a real channel or outside system; effects are described in the output instead. */
  testMode: boolean;
  /** Aborted when the run must stop (worker shutdown); long calls should pass it on. */
  signal: AbortSignal;
}

/** One node of the graph as stored (FlowGram's free-layout JSON: id, type, data; position is the editor's). */
export interface FlowNode<D = Record<string, unknown>> {
  id: string;
  type: string;
  data: D;
}

export type NodeResult =
  /** Continue along `port` (a Condition's branch id, a Loop's `item`/`done`, ...); default port when absent. */
  | { kind: 'next'; port?: string; output?: unknown; vars?: Record<string, unknown> }
  /**
   * Pause the session: until `until` (Delay; resumed by a BullMQ delayed job), and/or until the contact's next
   * message (Wait for Reply). `timeoutPort` is taken when `until` passes without a reply.
   */
  | {
      kind: 'wait';
      until?: Date;
      forReply?: boolean;
      timeoutPort?: string;
      output?: unknown;
      vars?: Record<string, unknown>;
    }
  /**
   * Stop the session successfully (End, Human Handoff). `handedOff`: people took the conversation over, so
   * message triggers leave it alone while it stays open.
   */
  | { kind: 'end'; output?: unknown; vars?: Record<string, unknown>; handedOff?: boolean }
  /** Stop the session with an error recorded in its log (a dependency not configured, an HTTP failure, ...). */
  | { kind: 'fail'; error: string; output?: unknown };

export interface NodeHandler<D = Record<string, unknown>> {
  /** The node type, as in the graph JSON and the shared node schemas (`send_message`, `http_request`, ...). */
  readonly type: string;
  execute(node: FlowNode<D>, ctx: FlowRunContext): Promise<NodeResult>;
  /**
   * Optional, for nodes that wait: what to do when the session resumes at this node (`reply`: the contact's next
   * message arrived, now in ctx.message; `time`: a Delay's time came; `timeout`: a reply wait's time passed).
   * Without it the run continues along the default port (reply, time) or the wait's `timeoutPort` (timeout).
   */
  resume?(node: FlowNode<D>, ctx: FlowRunContext, cause: ResumeCause): Promise<NodeResult>;
}

export type ResumeCause = 'reply' | 'time' | 'timeout';
