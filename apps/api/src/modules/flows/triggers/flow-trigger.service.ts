import { Injectable, Logger } from '@nestjs/common';
import type { FlowTriggerType } from '@orbitdesk/shared';
import { z } from 'zod';
import { Database, type TenantTx } from '../../../db/database.js';
import { FlowContextRepository } from '../engine/flow-context.repository.js';
import { FlowExecutorService } from '../engine/flow-executor.service.js';
import type { FlowRunContext, FlowWebhookInput } from '../engine/node-handler.js';
import { renderTemplate } from '../nodes/template.js';
import { FlowSessionsRepository } from '../flow-sessions.repository.js';
import { FlowsRepository, type FlowRow } from '../flows.repository.js';
import type { FlowRunJobData } from '../queue/flow-queues.js';
import { flowsForAddedTags, pickMessageFlow } from './flow-trigger-matcher.js';

type JobOf<K extends FlowRunJobData['kind']> = Extract<FlowRunJobData, { kind: K }>;

const ZWebhookContactBinding = z.object({
  inboxId: z.uuid(),
  identifier: z.string().min(1),
  name: z.string().optional(),
});

/** The template scope of a webhook request before any session exists: only {{webhook.…}} resolves. */
function requestScope(tenantId: string, flowId: string, webhook: FlowWebhookInput): FlowRunContext {
  return {
    tenantId,
    flowId,
    versionId: '',
    sessionId: '',
    contact: null,
    conversationId: null,
    message: null,
    webhook,
    vars: {},
    testMode: false,
    signal: new AbortController().signal,
  };
}

/** The worker's side of `flow-run`: decides which sessions an event resumes or starts, and runs them. */
@Injectable()
export class FlowTriggerService {
  private readonly logger = new Logger('FlowTriggers');

  constructor(
    private readonly db: Database,
    private readonly flows: FlowsRepository,
    private readonly sessions: FlowSessionsRepository,
    private readonly context: FlowContextRepository,
    private readonly executor: FlowExecutorService,
  ) {}

  async handle(job: FlowRunJobData): Promise<void> {
    switch (job.kind) {
      case 'message':
        return this.onMessage(job);
      case 'contact_created':
        return this.startAll(
          job.tenantId,
          job.contactId,
          await this.active(job.tenantId, ['contact_created']),
        );
      case 'tag_added': {
        const flows = flowsForAddedTags(await this.active(job.tenantId, ['tag_added']), job.tags);
        return this.startAll(job.tenantId, job.contactId, flows);
      }
      case 'start':
        return this.onStart(job);
    }
  }

  /**
   * A reply first resumes the contact's waiting sessions; only when none waits does it start a flow: the one
   * keyword or catch-all flow that wins (flow-trigger-matcher.ts), unless the conversation was handed to people.
   */
  private async onMessage(job: JobOf<'message'>): Promise<void> {
    const { tenantId, contactId, conversationId } = job;
    const waiting = await this.db.tenantTransaction(tenantId, (tx) =>
      this.sessions.listWaitingForReply(tx, contactId),
    );
    let resumed = 0;
    for (const session of waiting) {
      const done = await this.executor.resume(tenantId, session.id, 'reply', {
        nodeId: session.currentNodeId!,
        message: job.message,
      });
      if (done) resumed += 1;
    }
    if (resumed) return;

    const { flows, handedOff } = await this.db.tenantTransaction(tenantId, async (tx) => ({
      flows: await this.flows.listActiveByTrigger(tx, ['keyword', 'message_received']),
      handedOff:
        (await this.sessions.lastHandedOff(tx, conversationId)) &&
        (await this.context.conversationStatus(tx, conversationId)) !== 'resolved',
    }));
    if (handedOff) return;
    const flow = pickMessageFlow(flows, job.message.text, job.channelId);
    if (!flow) return;
    await this.executor.start({
      tenantId,
      flowId: flow.id,
      versionId: flow.publishedVersionId,
      contactId,
      conversationId,
      message: job.message,
      webhook: null,
    });
  }

  /** Manual and webhook starts: the flow must still be ACTIVE and published when the job runs. */
  private async onStart(job: JobOf<'start'>): Promise<void> {
    const { tenantId } = job;
    const found = await this.db.tenantTransaction(tenantId, async (tx) => {
      const flow = await this.flows.findById(tx, job.flowId);
      if (job.contactId)
        return {
          flow,
          contactId: job.contactId,
          conversationId: await this.context.latestConversationId(tx, job.contactId),
        };
      const bound =
        flow && job.webhook ? await this.bindWebhookContact(tx, tenantId, flow, job.webhook) : undefined;
      return { flow, contactId: bound?.contactId ?? null, conversationId: bound?.conversationId ?? null };
    });
    if (found.flow?.status !== 'ACTIVE' || !found.flow.publishedVersionId) {
      this.logger.warn(`flow ${job.flowId} is not active any more; start dropped`);
      return;
    }
    const session = await this.executor.start({
      tenantId,
      flowId: found.flow.id,
      versionId: found.flow.publishedVersionId,
      contactId: found.contactId,
      conversationId: found.conversationId,
      message: null,
      webhook: job.webhook,
      variables: job.variables,
    });
    if (!session)
      this.logger.log(`flow ${job.flowId}: contact ${found.contactId} already has a live session`);
  }

  /**
   * A webhook trigger may name who the run is for (`settings.contact`): the address is rendered from the request
   * and the contact and conversation are found or made on that inbox. Without it, or when the address renders
   * empty, the run has no contact (nodes that message one then fail with that reason).
   */
  private async bindWebhookContact(tx: TenantTx, tenantId: string, flow: FlowRow, webhook: FlowWebhookInput) {
    const parsed = ZWebhookContactBinding.safeParse(flow.triggerSettings.contact);
    if (!parsed.success) return undefined;
    const scope = requestScope(tenantId, flow.id, webhook);
    const identifier = renderTemplate(parsed.data.identifier, scope).trim().slice(0, 256);
    if (!identifier) {
      this.logger.warn(
        `flow ${flow.id}: the webhook's contact address rendered empty; running without a contact`,
      );
      return undefined;
    }
    const name = parsed.data.name ? renderTemplate(parsed.data.name, scope).trim().slice(0, 256) : undefined;
    return this.context.bindContact(tx, tenantId, parsed.data.inboxId, identifier, name);
  }

  private async startAll(tenantId: string, contactId: string, flows: FlowRow[]): Promise<void> {
    if (!flows.length) return;
    const conversationId = await this.db.tenantTransaction(tenantId, (tx) =>
      this.context.latestConversationId(tx, contactId),
    );
    for (const flow of flows) {
      await this.executor.start({
        tenantId,
        flowId: flow.id,
        versionId: flow.publishedVersionId,
        contactId,
        conversationId,
        message: null,
        webhook: null,
      });
    }
  }

  private active(tenantId: string, types: FlowTriggerType[]): Promise<FlowRow[]> {
    return this.db.tenantTransaction(tenantId, (tx) => this.flows.listActiveByTrigger(tx, types));
  }
}
