import { Injectable, Logger } from '@nestjs/common';
import { LOOP_PORTS, type FlowWaitingKind, type TContact, type TFlowGraph } from '@orbitdesk/shared';
import { performance } from 'node:perf_hooks';
import { requestContext } from '../../../common/tenancy/request-context.js';
import { Database } from '../../../db/database.js';
import type { FlowSessionContext } from '../../../db/schema/flows.js';
import { RealtimeService } from '../../realtime/realtime.service.js';
import { toFlowLogDto, toFlowSessionDto } from '../flow-dto.js';
import {
  FlowSessionsRepository,
  type FlowSessionLogRow,
  type FlowSessionPatch,
  type FlowSessionRow,
} from '../flow-sessions.repository.js';
import { FlowsRepository } from '../flows.repository.js';
import { FlowResumeQueue } from '../queue/flow-queues.js';
import { FlowContextRepository } from './flow-context.repository.js';
import { FlowGraphIndex } from './flow-graph-index.js';
import { FlowNodeRegistry } from './flow-node-registry.js';
import type {
  FlowMessageInput,
  FlowNode,
  FlowRunContext,
  FlowWebhookInput,
  NodeResult,
  ResumeCause,
} from './node-handler.js';

/**
 * The most nodes one run executes before it stops (a run is what happens between two waits): a cycle without a
 * wait ends here. A Loop node's iterations are bounded by its own maxIterations, so each iteration counts again
 * from where the loop's first visit of the run left the count: a body of up to 19 nodes runs for every element.
 */
export const MAX_NODES_PER_RUN = 20;
/**
 * The loop guard across waits: a session that has run this many nodes in all is stopped. Room for a Loop over
 * 1,000 elements (its maximum) with a body of four nodes.
 */
export const MAX_STEPS_PER_SESSION = 5_000;
/** The Loop node (nodes/loop.node.ts), whose revisits do not add to the run's count. */
const LOOP_NODE_TYPE = 'loop';
const VERSION_CACHE_SIZE = 500;

export interface StartInput {
  tenantId: string;
  flowId: string;
  /** The published version to run; null with `graph` for a test run of the draft. */
  versionId: string | null;
  graph?: TFlowGraph;
  contactId: string | null;
  /** A made-up contact for a test run (not stored). */
  contact?: TContact | null;
  conversationId: string | null;
  message: FlowMessageInput | null;
  webhook: FlowWebhookInput | null;
  /** The session's starting variables ({{vars.name}}); none when absent. */
  variables?: Record<string, unknown>;
  testMode?: boolean;
}

/** What the walk carries from node to node. */
interface RunState {
  session: FlowSessionRow;
  graph: FlowGraphIndex;
  ctx: FlowRunContext;
  steps: number;
}

/**
 * Walks a flow's graph for one session: runs each node's handler, logs it (input, output, duration, error),
 * persists the session after every node and tells the builder over the socket. Waits are durable: the session
 * row says what it waits for, and a Delay or a reply timeout is a BullMQ delayed job on `flow-resume`. A run never
 * throws: whatever goes wrong ends the session `failed` with the error in its log.
 */
@Injectable()
export class FlowExecutorService {
  private readonly logger = new Logger('FlowExecutor');
  /** Published versions never change, so their parsed graphs are kept (bounded) per process. */
  private readonly versions = new Map<string, FlowGraphIndex>();

  constructor(
    private readonly db: Database,
    private readonly sessions: FlowSessionsRepository,
    private readonly flows: FlowsRepository,
    private readonly context: FlowContextRepository,
    private readonly registry: FlowNodeRegistry,
    private readonly resumeQueue: FlowResumeQueue,
    private readonly realtime: RealtimeService,
  ) {}

  /**
   * Starts a session at the trigger and runs it to its first wait or its end. Returns undefined when the contact
   * already has a live session of this flow (one per contact and flow).
   */
  async start(input: StartInput): Promise<FlowSessionRow | undefined> {
    return this.inTenant(input.tenantId, async () => {
      const graph = input.graph
        ? new FlowGraphIndex(input.graph)
        : await this.versionGraph(input.tenantId, input.versionId!);
      const trigger = graph?.trigger();
      const context: FlowSessionContext = { message: input.message, webhook: input.webhook };
      const session = await this.db.tenantTransaction(input.tenantId, (tx) =>
        this.sessions.insertIfNoLive(tx, {
          tenantId: input.tenantId,
          flowId: input.flowId,
          versionId: input.versionId,
          contactId: input.contactId,
          conversationId: input.conversationId,
          currentNodeId: trigger?.id ?? null,
          context,
          ...(input.variables ? { variables: input.variables } : {}),
          status: 'running',
          testMode: input.testMode ?? false,
        }),
      );
      if (!session) return undefined;
      if (!graph || !trigger) {
        return this.finishWithoutStep(
          session,
          graph ? 'the flow has no trigger node' : 'flow version not found',
        );
      }
      const state = await this.prepare(session, graph, input.contact);
      return this.walk(state, trigger);
    });
  }

  /**
   * Resumes a waiting session at the node it waits at: `reply` (the contact's message), `time` (a Delay's job) or
   * `timeout` (a reply wait's job). Nothing happens unless the session still waits there (claimed atomically,
   * so a reply and a timeout arriving together resume it once). Returns the session, or undefined if not claimed.
   */
  async resume(
    tenantId: string,
    sessionId: string,
    cause: ResumeCause,
    at: { nodeId: string; steps?: number; message?: FlowMessageInput },
  ): Promise<FlowSessionRow | undefined> {
    return this.inTenant(tenantId, async () => {
      const claimed = await this.db.tenantTransaction(tenantId, (tx) =>
        this.sessions.claimWaiting(tx, sessionId, at.nodeId, cause === 'time' ? 'delay' : 'reply', at.steps),
      );
      if (!claimed) return undefined;
      let session = claimed;
      if (at.message) {
        const context = { ...session.context, message: at.message };
        session = (await this.save(session, { context })) ?? session;
      }
      const graph = session.versionId ? await this.versionGraph(tenantId, session.versionId) : undefined;
      const node = graph?.node(at.nodeId);
      if (!graph || !node)
        return this.finishWithoutStep(session, `node ${at.nodeId} is no longer in the flow`);
      const state = await this.prepare(session, graph);
      const handler = this.registry.get(node.type);
      const started = performance.now();
      let result: NodeResult;
      try {
        result = handler?.resume
          ? await handler.resume(node, state.ctx, cause)
          : cause === 'timeout'
            ? { kind: 'next', port: session.timeoutPort ?? undefined }
            : { kind: 'next' };
      } catch (err) {
        result = { kind: 'fail', error: `${node.type} node ${node.id}: ${(err as Error).message}` };
      }
      return this.walk(state, node, { result, ms: performance.now() - started, cause });
    });
  }

  /**
   * Ends a session that waits at `at` as failed, with `error`: its timer could not resume it (the recovery sweep
   * gave up). Nothing happens unless it still waits there; returns the session, or undefined if it moved on.
   */
  async abandonWait(
    tenantId: string,
    sessionId: string,
    kind: FlowWaitingKind,
    at: { nodeId: string; steps: number },
    error: string,
  ): Promise<FlowSessionRow | undefined> {
    return this.inTenant(tenantId, async () => {
      const claimed = await this.db.tenantTransaction(tenantId, (tx) =>
        this.sessions.claimWaiting(tx, sessionId, at.nodeId, kind, at.steps),
      );
      return claimed ? this.finishWithoutStep(claimed, error) : undefined;
    });
  }

  /** The session with its log (for the test route's answer). */
  async withLog(session: FlowSessionRow): Promise<{ session: FlowSessionRow; log: FlowSessionLogRow[] }> {
    const log = await this.db.tenantTransaction(session.tenantId, (tx) =>
      this.sessions.listLogs(tx, session.id),
    );
    return { session, log };
  }

  private inTenant<T>(tenantId: string, fn: () => Promise<T>): Promise<T> {
    const current = requestContext.get();
    if (current?.tenantId === tenantId) return fn();
    return requestContext.run({ tenantId, requestId: `flow:${tenantId}` }, fn);
  }

  private async prepare(
    session: FlowSessionRow,
    graph: FlowGraphIndex,
    contact?: TContact | null,
  ): Promise<RunState> {
    const loaded =
      contact ??
      (session.contactId
        ? await this.db.tenantTransaction(session.tenantId, (tx) =>
            this.context.contact(tx, session.contactId!),
          )
        : undefined);
    const ctx: FlowRunContext = {
      tenantId: session.tenantId,
      flowId: session.flowId,
      // A test run of the draft has no version row.
      versionId: session.versionId ?? 'draft',
      sessionId: session.id,
      contact: loaded ?? null,
      conversationId: session.conversationId,
      message: session.context.message,
      webhook: session.context.webhook,
      vars: session.variables,
      testMode: session.testMode,
      signal: new AbortController().signal,
    };
    return { session, graph, ctx, steps: session.steps };
  }

  /**
   * Runs from `node` until a wait, an end, a failure, or the run's node budget. `first` is the result of a node
   * already executed (a resume), logged as this run's first step.
   */
  private async walk(
    state: RunState,
    start: FlowNode,
    first?: { result: NodeResult; ms: number; cause: ResumeCause },
  ): Promise<FlowSessionRow> {
    let node = start;
    let pending = first;
    /** Per Loop node entered in this run and not yet done: the run's count before its first visit. */
    const loopEntries = new Map<string, number>();
    for (let ran = 0; ; ran++) {
      if (node.type === LOOP_NODE_TYPE && !pending) {
        const entry = loopEntries.get(node.id);
        if (entry === undefined) loopEntries.set(node.id, ran);
        else ran = entry; // the next iteration: the body's nodes are counted afresh
      }
      if (ran >= MAX_NODES_PER_RUN) {
        return this.finishWithoutStep(
          state.session,
          `stopped at node ${node.id}: more than ${MAX_NODES_PER_RUN} nodes in one run (is there a loop without a wait?)`,
        );
      }
      if (state.steps >= MAX_STEPS_PER_SESSION) {
        return this.finishWithoutStep(
          state.session,
          `stopped at node ${node.id}: the session ran ${MAX_STEPS_PER_SESSION} nodes in all (loop guard)`,
        );
      }
      const { result, ms } = pending ?? (await this.execute(node, state.ctx));
      // A loop that took `done` starts afresh if the flow comes back to it, counted from there.
      if (node.type === LOOP_NODE_TYPE && !(result.kind === 'next' && result.port === LOOP_PORTS.item)) {
        loopEntries.delete(node.id);
      }
      const input = pending ? { resumedBy: pending.cause } : node.data;
      pending = undefined;
      state.steps += 1;
      const vars = 'vars' in result && result.vars ? { ...state.ctx.vars, ...result.vars } : state.ctx.vars;
      state.ctx = { ...state.ctx, vars };

      const { patch, next, schedule } = this.decide(state, node, result);
      const step = state.steps;
      const saved = await this.db.tenantTransaction(state.session.tenantId, async (tx) => {
        const log = await this.sessions.insertLog(tx, {
          tenantId: state.session.tenantId,
          sessionId: state.session.id,
          step,
          nodeId: node.id,
          nodeType: node.type,
          input,
          output: result.output ?? null,
          error: result.kind === 'fail' ? result.error : null,
          durationMs: Math.round(ms),
        });
        const session = await this.sessions.update(tx, state.session.id, {
          ...patch,
          variables: vars,
          steps: step,
        });
        return { log, session: session ?? state.session };
      });
      state.session = saved.session;
      this.emit(saved.session, saved.log);
      if (schedule) await this.scheduleResume(state, node, schedule);
      if (!next) return state.session;
      node = next;
    }
  }

  /** What the session becomes after `node` gave `result`, and where the walk goes next. */
  private decide(
    state: RunState,
    node: FlowNode,
    result: NodeResult,
  ): { patch: FlowSessionPatch; next?: FlowNode; schedule?: { at: Date; kind: 'delay' | 'reply_timeout' } } {
    const ended = (status: 'completed' | 'failed', extra: FlowSessionPatch = {}) => ({
      patch: {
        status,
        currentNodeId: node.id,
        waitingKind: null,
        waitingUntil: null,
        endedAt: new Date(),
        ...extra,
      },
    });
    switch (result.kind) {
      case 'fail':
        return ended('failed', { error: result.error });
      case 'end':
        return ended('completed', { handedOff: result.handedOff ?? false });
      case 'next': {
        const next = state.graph.next(node, result.port);
        if (next) return { patch: { currentNodeId: next.id }, next };
        // A node's `error` port with nothing wired to it (HTTP Request's non-2xx, timeout, ...) fails the run:
        // an error the flow does not handle must not read as a completed run.
        if (result.port === ERROR_PORT) return ended('failed', { error: errorOf(result.output) });
        return ended('completed');
      }
      case 'wait': {
        if (state.ctx.testMode) {
          // A test run does not wait: a delay is passed over, and a reply wait ends the run (there is no contact
          // who could answer).
          if (result.forReply) return ended('completed');
          const next = state.graph.next(node, undefined);
          return next ? { patch: { currentNodeId: next.id }, next } : ended('completed');
        }
        const until = result.until ?? null;
        return {
          patch: {
            status: 'waiting',
            currentNodeId: node.id,
            waitingKind: result.forReply ? 'reply' : 'delay',
            waitingUntil: until,
            timeoutPort: result.timeoutPort ?? null,
          },
          schedule: until ? { at: until, kind: result.forReply ? 'reply_timeout' : 'delay' } : undefined,
        };
      }
    }
  }

  private async execute(node: FlowNode, ctx: FlowRunContext): Promise<{ result: NodeResult; ms: number }> {
    const handler = this.registry.get(node.type);
    const started = performance.now();
    if (!handler)
      return { result: { kind: 'fail', error: `Node type ${node.type} is not available` }, ms: 0 };
    try {
      return { result: await handler.execute(node, ctx), ms: performance.now() - started };
    } catch (err) {
      // A handler should return `fail`; one that throws still only ends this session.
      this.logger.error({ err }, `${node.type} node ${node.id} threw: ${(err as Error).message}`);
      return {
        result: { kind: 'fail', error: `${node.type} node ${node.id}: ${(err as Error).message}` },
        ms: performance.now() - started,
      };
    }
  }

  private async scheduleResume(
    state: RunState,
    node: FlowNode,
    schedule: { at: Date; kind: 'delay' | 'reply_timeout' },
  ): Promise<void> {
    try {
      await this.resumeQueue.schedule(
        {
          tenantId: state.session.tenantId,
          sessionId: state.session.id,
          nodeId: node.id,
          steps: state.steps,
          kind: schedule.kind,
        },
        schedule.at,
      );
    } catch (err) {
      // Without its job the session would wait forever: end it visibly instead.
      state.session = await this.finishWithoutStep(
        state.session,
        `could not schedule the wait at node ${node.id}: ${(err as Error).message}`,
      );
    }
  }

  /** Ends a session as failed with an error that belongs to no single node's execution. */
  private async finishWithoutStep(session: FlowSessionRow, error: string): Promise<FlowSessionRow> {
    const saved = await this.save(session, {
      status: 'failed',
      error,
      waitingKind: null,
      waitingUntil: null,
      endedAt: new Date(),
    });
    this.emit(saved ?? session, null);
    return saved ?? session;
  }

  private save(session: FlowSessionRow, patch: FlowSessionPatch): Promise<FlowSessionRow | undefined> {
    return this.db.tenantTransaction(session.tenantId, (tx) => this.sessions.update(tx, session.id, patch));
  }

  private emit(session: FlowSessionRow, log: FlowSessionLogRow | null): void {
    const dto = toFlowSessionDto(session);
    this.realtime.flowSession(session.tenantId, {
      sessionId: dto.id,
      flowId: dto.flowId,
      status: dto.status,
      currentNodeId: dto.currentNodeId,
      testMode: dto.testMode,
      step: log ? toFlowLogDto(log) : null,
    });
  }

  private async versionGraph(tenantId: string, versionId: string): Promise<FlowGraphIndex | undefined> {
    const cached = this.versions.get(versionId);
    if (cached) return cached;
    const row = await this.db.tenantTransaction(tenantId, (tx) => this.flows.findVersion(tx, versionId));
    if (!row) return undefined;
    if (this.versions.size >= VERSION_CACHE_SIZE) this.versions.delete(this.versions.keys().next().value!);
    const index = new FlowGraphIndex(row.graph);
    this.versions.set(versionId, index);
    return index;
  }
}

/** The port nodes take on a failure the flow may handle itself (HTTP Request). */
const ERROR_PORT = 'error';

function errorOf(output: unknown): string {
  const error = (output as { error?: unknown } | null | undefined)?.error;
  return typeof error === 'string' && error ? error : 'The node failed and the flow has no error branch';
}
