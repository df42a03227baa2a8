import { Inject, Injectable } from '@nestjs/common';
import {
  validateFlowGraph,
  type TCreateFlowRequest,
  type TFlow,
  type TFlowGraph,
  type TFlowPage,
  type TFlowSessionDetail,
  type TFlowSessionPage,
  type TFlowVersionList,
  type TListFlowSessionsQuery,
  type TListFlowsQuery,
  type TTestFlowRequest,
  type TUpdateFlowRequest,
} from '@orbitdesk/shared';
import { randomUUID } from 'node:crypto';
import { SecretBox } from '../../common/crypto/secret-box.js';
import { badRequest, notFound, unprocessable } from '../../common/http/errors.js';
import { decodeCursor, toPage } from '../../common/http/pagination.js';
import { requestContext } from '../../common/tenancy/request-context.js';
import { FlowActivity } from './triggers/flow-activity.js';
import { TenantDb } from '../../common/tenancy/tenant-db.service.js';
import { APP_CONFIG, type AppConfig } from '../../config/app-config.js';
import type { TenantTx } from '../../db/database.js';
import { AuditService } from '../audit/audit.service.js';
import { FlowContextRepository } from './engine/flow-context.repository.js';
import { FlowExecutorService } from './engine/flow-executor.service.js';
import { toFlowDto, toFlowLogDto, toFlowSessionDto, toFlowVersionDto } from './flow-dto.js';
import { FlowSessionsRepository } from './flow-sessions.repository.js';
import { FlowsRepository, type FlowWithVersion, type NewFlow } from './flows.repository.js';
import { FlowRunQueue } from './queue/flow-queues.js';

const EMPTY_GRAPH: TFlowGraph = { nodes: [], edges: [] };

/** A graph with problems is a 400 that lists every one, each with its node id. */
function assertValidGraph(graph: TFlowGraph): void {
  const problems = validateFlowGraph(graph);
  if (!problems.length) return;
  const lines = problems.map((p) => (p.nodeId ? `${p.nodeId}: ${p.message}` : p.message));
  throw badRequest(`Validation failed: graph: ${lines.join('; ')}`, { problems });
}

@Injectable()
export class FlowsService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly tenantDb: TenantDb,
    private readonly repo: FlowsRepository,
    private readonly sessions: FlowSessionsRepository,
    private readonly context: FlowContextRepository,
    private readonly executor: FlowExecutorService,
    private readonly runQueue: FlowRunQueue,
    private readonly secrets: SecretBox,
    private readonly audit: AuditService,
    private readonly activity: FlowActivity,
  ) {}

  async list(q: TListFlowsQuery): Promise<TFlowPage> {
    const rows = await this.tenantDb.run((tx) =>
      this.repo.list(tx, { status: q.status, cursor: decodeCursor(q.cursor), limit: q.limit }),
    );
    return toPage(rows, q.limit, (r) => this.dto(r));
  }

  async get(id: string): Promise<TFlow> {
    return this.dto(await this.tenantDb.run((tx) => this.found(tx, id)));
  }

  /** A given graph must be valid; a webhook trigger gets its URL token at once. */
  async create(input: TCreateFlowRequest): Promise<TFlow> {
    if (input.graph) assertValidGraph(input.graph);
    const tenantId = requestContext.tenantId();
    const row = await this.tenantDb.run(async (tx) => {
      const created = await this.repo.insert(tx, {
        tenantId,
        name: input.name,
        description: input.description ?? null,
        triggerType: input.trigger.type,
        triggerSettings: input.trigger.settings,
        priority: input.priority,
        graph: input.graph ?? EMPTY_GRAPH,
        webhookToken: input.trigger.type === 'webhook' ? randomUUID() : null,
      });
      await this.audit.record(tx, { action: 'flow.created', entityType: 'flow', entityId: created.id });
      return this.found(tx, created.id);
    });
    return this.dto(row);
  }

  /**
   * Changes the draft and settings. Status: ACTIVE needs a published version (publish makes one); PAUSED and
   * ARCHIVED stop new sessions. Leaving the webhook trigger drops the URL token; coming to it makes one.
   */
  async update(id: string, input: TUpdateFlowRequest): Promise<TFlow> {
    if (input.graph) assertValidGraph(input.graph);
    const row = await this.tenantDb.run(async (tx) => {
      const existing = await this.found(tx, id);
      if (input.status === 'ACTIVE' && !existing.publishedVersionId) {
        throw unprocessable('status: publish the flow before activating it');
      }
      const values: Partial<NewFlow> = {
        name: input.name,
        description: input.description,
        priority: input.priority,
        graph: input.graph,
        status: input.status,
      };
      if (input.trigger) {
        values.triggerType = input.trigger.type;
        values.triggerSettings = input.trigger.settings;
        if (input.trigger.type !== 'webhook') values.webhookToken = null;
        else if (!existing.webhookToken) values.webhookToken = randomUUID();
      }
      await this.repo.update(tx, id, values);
      await this.audit.record(tx, {
        action: 'flow.updated',
        entityType: 'flow',
        entityId: id,
        metadata: { fields: Object.keys(input) },
      });
      return this.found(tx, id);
    });
    if (input.status) await this.activity.changed(row.tenantId);
    return this.dto(row);
  }

  async remove(id: string): Promise<{ ok: true }> {
    await this.tenantDb.run(async (tx) => {
      if (!(await this.repo.delete(tx, id))) throw notFound('Flow');
      await this.audit.record(tx, { action: 'flow.deleted', entityType: 'flow', entityId: id });
    });
    await this.activity.changed(requestContext.tenantId());
    return { ok: true };
  }

  /**
   * Snapshots the draft as the next immutable version and makes it the one that runs (status ACTIVE). Sessions
   * already running keep the version they started on.
   */
  async publish(id: string): Promise<TFlow> {
    const row = await this.tenantDb.run(async (tx) => {
      const flow = await this.repo.lockById(tx, id);
      if (!flow) throw notFound('Flow');
      assertValidGraph(flow.graph);
      const version = await this.repo.insertVersion(tx, {
        tenantId: flow.tenantId,
        flowId: id,
        version: (await this.repo.lastVersionNumber(tx, id)) + 1,
        graph: flow.graph,
      });
      await this.repo.update(tx, id, { publishedVersionId: version.id, status: 'ACTIVE' });
      await this.audit.record(tx, {
        action: 'flow.published',
        entityType: 'flow',
        entityId: id,
        metadata: { version: version.version },
      });
      return this.found(tx, id);
    });
    await this.activity.changed(row.tenantId);
    return this.dto(row);
  }

  async versions(id: string): Promise<TFlowVersionList> {
    const rows = await this.tenantDb.run(async (tx) => {
      await this.found(tx, id);
      return this.repo.listVersions(tx, id);
    });
    return { items: rows.map(toFlowVersionDto) };
  }

  /** A new URL token: the old URL stops working at once (it is looked up on every call, never cached). */
  async regenerateWebhookToken(id: string): Promise<TFlow> {
    const row = await this.tenantDb.run(async (tx) => {
      const flow = await this.found(tx, id);
      if (flow.triggerType !== 'webhook')
        throw unprocessable('trigger: this flow is not started by a webhook');
      await this.repo.update(tx, id, { webhookToken: randomUUID() });
      await this.audit.record(tx, { action: 'flow.webhook_token_rotated', entityType: 'flow', entityId: id });
      return this.found(tx, id);
    });
    return this.dto(row);
  }

  /** Sets (sealed, bound to the tenant) or clears the HMAC secret webhook callers must sign with. */
  async setWebhookSecret(id: string, secret: string | null): Promise<TFlow> {
    const tenantId = requestContext.tenantId();
    const row = await this.tenantDb.run(async (tx) => {
      const flow = await this.found(tx, id);
      if (flow.triggerType !== 'webhook')
        throw unprocessable('trigger: this flow is not started by a webhook');
      await this.repo.update(tx, id, {
        webhookSecret: secret === null ? null : this.secrets.encrypt(secret, tenantId),
      });
      await this.audit.record(tx, {
        action: secret === null ? 'flow.webhook_secret_cleared' : 'flow.webhook_secret_set',
        entityType: 'flow',
        entityId: id,
      });
      return this.found(tx, id);
    });
    return this.dto(row);
  }

  /** Starts the flow for one contact, in the worker. */
  async trigger(id: string, contactId: string): Promise<{ queued: true }> {
    const tenantId = requestContext.tenantId();
    await this.tenantDb.run(async (tx) => {
      const flow = await this.found(tx, id);
      if (flow.status !== 'ACTIVE') throw unprocessable('status: only an ACTIVE flow can be started');
      if (!(await this.context.contact(tx, contactId))) throw notFound('Contact');
    });
    await this.runQueue.enqueue({ kind: 'start', tenantId, flowId: id, contactId, webhook: null });
    return { queued: true };
  }

  /**
   * Runs the flow here and now in test mode: nothing is sent or assigned, delays are passed over, a reply wait
   * ends the run. The session is kept (marked as a test) and returned with its step-by-step log.
   */
  async test(id: string, input: TTestFlowRequest): Promise<TFlowSessionDetail> {
    const tenantId = requestContext.tenantId();
    const { flow, graph, contact } = await this.tenantDb.run(async (tx) => {
      const flow = await this.found(tx, id);
      const version = input.useDraft ? undefined : await this.publishedVersion(tx, flow);
      const contact = input.contactId ? await this.context.contact(tx, input.contactId) : undefined;
      if (input.contactId && !contact) throw notFound('Contact');
      return { flow, graph: version?.graph ?? flow.graph, contact };
    });
    assertValidGraph(graph);
    const now = new Date().toISOString();
    const session = await this.executor.start({
      tenantId,
      flowId: flow.id,
      versionId: input.useDraft ? null : flow.publishedVersionId,
      graph,
      contactId: contact?.id ?? null,
      contact: contact ?? {
        id: randomUUID(),
        name: input.contact?.name ?? 'Test contact',
        phone: input.contact?.phone ?? null,
        email: input.contact?.email ?? null,
        tags: input.contact?.tags ?? [],
        customFields: input.contact?.customFields ?? {},
        optedIn: false,
        isOnDncList: false,
        avatarUrl: null,
        identities: [],
        createdAt: now,
        updatedAt: now,
      },
      conversationId: null,
      message:
        input.message === undefined
          ? null
          : { id: randomUUID(), type: 'text', text: input.message, content: { text: input.message } },
      webhook: null,
      testMode: true,
    });
    // Test sessions are never refused as duplicates (the one-live-session rule is for real runs).
    const { session: ran, log } = await this.executor.withLog(session!);
    return { ...toFlowSessionDto(ran), log: log.map(toFlowLogDto) };
  }

  async listSessions(id: string, q: TListFlowSessionsQuery): Promise<TFlowSessionPage> {
    const rows = await this.tenantDb.run(async (tx) => {
      await this.found(tx, id);
      return this.sessions.list(tx, id, { status: q.status, cursor: decodeCursor(q.cursor), limit: q.limit });
    });
    return toPage(rows, q.limit, toFlowSessionDto, (r) => ({ createdAt: r.startedAt, id: r.id }));
  }

  async getSession(id: string, sessionId: string): Promise<TFlowSessionDetail> {
    const { session, log } = await this.tenantDb.run(async (tx) => {
      const session = await this.sessions.findById(tx, sessionId);
      if (!session || session.flowId !== id) throw notFound('Flow session');
      return { session, log: await this.sessions.listLogs(tx, sessionId) };
    });
    return { ...toFlowSessionDto(session), log: log.map(toFlowLogDto) };
  }

  private async found(tx: TenantTx, id: string): Promise<FlowWithVersion> {
    const row = await this.repo.findById(tx, id);
    if (!row) throw notFound('Flow');
    return row;
  }

  private async publishedVersion(tx: TenantTx, flow: FlowWithVersion) {
    const version = flow.publishedVersionId
      ? await this.repo.findVersion(tx, flow.publishedVersionId)
      : undefined;
    if (!version) throw unprocessable('useDraft: the flow has no published version; test the draft instead');
    return version;
  }

  private dto(row: FlowWithVersion): TFlow {
    return toFlowDto(row, this.config.PUBLIC_URL);
  }
}
