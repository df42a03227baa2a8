import { Injectable } from '@nestjs/common';
import {
  ZBookAppointmentArgs,
  ZTriggerFlowArgs,
  ZUpdateContactArgs,
  ZUpdateContactRequest,
  ZUpdateConversationArgs,
  ZUpdateConversationRequest,
  type AiAgentTool,
  type TAiToolResult,
} from '@orbitdesk/shared';
import type { z } from 'zod';
import { AppError } from '../../../common/http/errors.js';
import { requestContext } from '../../../common/tenancy/request-context.js';
import { TenantDb } from '../../../common/tenancy/tenant-db.service.js';
import { AppointmentsService } from '../../appointments/appointments.service.js';
import { ContactsService } from '../../contacts/contacts.service.js';
import { ConversationsService } from '../../conversations/conversations.service.js';
import type { AiToolClaims } from '../agent-turn.builder.js';
import { AiToolsRepository } from './ai-tools.repository.js';
import { ToolFlowRunQueue } from './tool-flow-run.queue.js';

const RECENT_CONVERSATIONS = 5;
const UPCOMING_APPOINTMENTS = 5;

/** A refusal the model can act on (the words go back to it). */
class ToolRefused extends Error {}

const ok = (result: unknown): TAiToolResult => ({ ok: true, result });
const refused = (error: string): TAiToolResult => ({ ok: false, result: null, error });

function parseArgs<S extends z.ZodType>(schema: S, args: unknown): z.infer<S> {
  const parsed = schema.safeParse(args);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((i) => `${i.path.join('.') || 'arguments'}: ${i.message}`);
  throw new ToolRefused(`Invalid arguments: ${issues.join('; ')}`);
}

/**
 * The tools an AI agent runs, each inside the token's tenant and only on the token's contact and conversation,
 * through the same services (and their rules, events and audit entries) as people's changes. A tool that cannot
 * do what was asked answers `{ok: false, error}` in words the model can act on.
 */
@Injectable()
export class AiToolsService {
  constructor(
    private readonly tenantDb: TenantDb,
    private readonly repo: AiToolsRepository,
    private readonly contacts: ContactsService,
    private readonly conversations: ConversationsService,
    private readonly appointments: AppointmentsService,
    private readonly flowRuns: ToolFlowRunQueue,
  ) {}

  /** Runs in the token's tenant; call inside `requestContext.run({ tenantId: claims.tenantId })`. */
  async run(tool: AiAgentTool, claims: AiToolClaims, args: unknown): Promise<TAiToolResult> {
    try {
      const conversation = await this.tenantDb.run((tx) =>
        this.repo.conversationOf(tx, claims.conversationId, claims.contactId),
      );
      if (!conversation) return refused('This conversation or contact no longer exists');
      switch (tool) {
        case 'lookup_crm':
          return ok(await this.lookupCrm(claims));
        case 'update_contact':
          return ok(await this.updateContact(claims, parseArgs(ZUpdateContactArgs, args)));
        case 'book_appointment':
          return ok(await this.bookAppointment(claims, parseArgs(ZBookAppointmentArgs, args)));
        case 'trigger_flow':
          return ok(await this.triggerFlow(claims, parseArgs(ZTriggerFlowArgs, args)));
        case 'update_conversation':
          return ok(
            await this.updateConversation(
              claims,
              conversation.tags,
              parseArgs(ZUpdateConversationArgs, args),
            ),
          );
      }
    } catch (err) {
      // The services' 4xx answers (a taken email, a missing record) are refusals the model can explain.
      if (err instanceof ToolRefused || (err instanceof AppError && err.getStatus() < 500)) {
        return refused(err.message);
      }
      throw err;
    }
  }

  private async lookupCrm(claims: AiToolClaims) {
    const contact = await this.contacts.get(claims.contactId);
    const recent = await this.tenantDb.run((tx) =>
      this.repo.recentConversations(tx, claims.contactId, RECENT_CONVERSATIONS),
    );
    const upcoming = await this.appointments.upcomingForContact(claims.contactId, UPCOMING_APPOINTMENTS);
    return {
      contact: {
        name: contact.name,
        phone: contact.phone,
        email: contact.email,
        tags: contact.tags,
        customFields: contact.customFields,
        optedIn: contact.optedIn,
      },
      recentConversations: recent.map((c) => ({ ...c, lastMessageAt: c.lastMessageAt.toISOString() })),
      upcomingAppointments: upcoming.map(({ title, startsAt, durationMinutes, notes }) => ({
        title,
        startsAt,
        durationMinutes,
        notes,
      })),
    };
  }

  /** Tags are added to the contact's, custom fields merged into theirs; the contacts service's rules apply. */
  private async updateContact(claims: AiToolClaims, args: z.infer<typeof ZUpdateContactArgs>) {
    if (!Object.keys(args).length)
      throw new ToolRefused('Nothing to update: give name, email, tags or customFields');
    const current = await this.contacts.get(claims.contactId);
    const change = ZUpdateContactRequest.safeParse({
      ...(args.name !== undefined ? { name: args.name } : {}),
      ...(args.email !== undefined ? { email: args.email } : {}),
      ...(args.tags ? { tags: [...current.tags, ...args.tags] } : {}),
      ...(args.customFields ? { customFields: { ...current.customFields, ...args.customFields } } : {}),
    });
    if (!change.success) {
      const issues = change.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
      throw new ToolRefused(`The contact cannot take this change: ${issues.join('; ')}`);
    }
    const updated = await this.contacts.update(claims.contactId, change.data);
    return {
      contact: {
        name: updated.name,
        phone: updated.phone,
        email: updated.email,
        tags: updated.tags,
        customFields: updated.customFields,
      },
    };
  }

  private async bookAppointment(claims: AiToolClaims, args: z.infer<typeof ZBookAppointmentArgs>) {
    const appointment = await this.appointments.book({
      contactId: claims.contactId,
      conversationId: claims.conversationId,
      title: args.title,
      startsAt: new Date(args.startsAt),
      durationMinutes: args.durationMinutes,
      notes: args.notes ?? null,
      createdBy: `agent:${claims.agentId}`,
    });
    return { appointment };
  }

  /**
   * Starts a published, ACTIVE flow for the contact through the flows' manual start (`flow-run` job, run in the
   * worker), with `variables` as the session's starting {{vars}} (names and size checked by the contract); the
   * answer names the variables passed.
   */
  private async triggerFlow(claims: AiToolClaims, args: z.infer<typeof ZTriggerFlowArgs>) {
    if (!args.flowId && !args.flowName) throw new ToolRefused('Name the flow: give flowId or flowName');
    const flow = await this.tenantDb.run((tx) =>
      this.repo.findFlow(tx, args.flowId ? { id: args.flowId } : { name: args.flowName! }),
    );
    if (!flow) throw new ToolRefused(`No flow is called ${args.flowId ?? `"${args.flowName}"`}`);
    if (flow.status !== 'ACTIVE' || !flow.publishedVersionId) {
      throw new ToolRefused(`The flow "${flow.name}" is not active, so it cannot be started`);
    }
    const names = Object.keys(args.variables ?? {});
    await this.flowRuns.enqueue({
      kind: 'start',
      tenantId: requestContext.tenantId(),
      flowId: flow.id,
      contactId: claims.contactId,
      webhook: null,
      ...(names.length ? { variables: args.variables } : {}),
    });
    return { started: { flowId: flow.id, name: flow.name, ...(names.length ? { variables: names } : {}) } };
  }

  private async updateConversation(
    claims: AiToolClaims,
    currentTags: string[],
    args: z.infer<typeof ZUpdateConversationArgs>,
  ) {
    if (!Object.keys(args).length)
      throw new ToolRefused('Nothing to update: give status, priority or addTags');
    const tags = args.addTags ? [...new Set([...currentTags, ...args.addTags])] : undefined;
    const change = ZUpdateConversationRequest.safeParse({
      ...(args.status ? { status: args.status } : {}),
      ...(args.priority ? { priority: args.priority } : {}),
      ...(tags ? { tags } : {}),
    });
    if (!change.success) {
      const issues = change.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
      throw new ToolRefused(`The conversation cannot take this change: ${issues.join('; ')}`);
    }
    const updated = await this.conversations.update(claims.conversationId, change.data);
    return {
      conversation: {
        number: updated.number,
        status: updated.status,
        priority: updated.priority,
        tags: updated.tags,
      },
    };
  }
}
