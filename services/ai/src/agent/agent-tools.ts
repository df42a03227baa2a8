import {
  AI_HANDOFF_TOOL,
  ZBookAppointmentArgs,
  ZTriggerFlowArgs,
  ZUpdateContactArgs,
  ZUpdateConversationArgs,
  type AiAgentMode,
  type AiAgentTool,
} from '@orbitdesk/shared';
import { z } from 'zod';
import type { ProviderTool } from '../providers/provider.js';

export const ZHandoffArgs = z.strictObject({
  reason: z.string().trim().min(1).max(500),
});

/** The arguments each tool takes; the API validates them again when it runs the tool. */
export const AGENT_TOOL_ARGS: Record<AiAgentTool, z.ZodType<Record<string, unknown>>> = {
  lookup_crm: z.strictObject({}),
  update_contact: ZUpdateContactArgs,
  book_appointment: ZBookAppointmentArgs,
  trigger_flow: ZTriggerFlowArgs,
  update_conversation: ZUpdateConversationArgs,
};

const DESCRIPTIONS: Record<AiAgentTool | typeof AI_HANDOFF_TOOL, string> = {
  lookup_crm:
    "Read this customer's record in the CRM: contact details, tags, custom fields and recent activity. " +
    'Takes no arguments.',
  update_contact:
    "Update this customer's contact record with details they gave you: name, email, tags or custom fields. " +
    'Send only the fields that change.',
  book_appointment:
    'Book an appointment for this customer. startsAt is an ISO 8601 date-time with a UTC offset ' +
    '(e.g. 2030-05-01T15:00:00+02:00); confirm the date and time with the customer before booking.',
  trigger_flow:
    "Start one of the workspace's automation flows for this customer, named by flowId or flowName, with " +
    'optional variables the flow reads as {{vars.name}} (names of letters, digits and _; at most 20).',
  update_conversation:
    "Change this conversation's status (open, pending, resolved) or priority, or add tags to it.",
  [AI_HANDOFF_TOOL]:
    'Hand the conversation to a human member of the team. Use it when the customer asks for a person, or ' +
    'when you cannot help. Give a short reason.',
};

/**
 * JSON Schema as the providers accept it: zod's output minus `$schema`, `propertyNames`, and the long regexes it
 * writes next to `format` (some providers' schema subsets refuse them; the format says the same thing and the
 * arguments are validated here and in the API anyway).
 */
export function providerJsonSchema(schema: z.ZodType): Record<string, unknown> {
  const clean = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(clean);
    if (!node || typeof node !== 'object') return node;
    const out: Record<string, unknown> = {};
    const record = node as Record<string, unknown>;
    for (const [key, value] of Object.entries(record)) {
      if (key === '$schema' || key === 'propertyNames') continue;
      if (key === 'pattern' && 'format' in record) continue;
      out[key] = clean(value);
    }
    return out;
  };
  return clean(z.toJSONSchema(schema, { io: 'input' })) as Record<string, unknown>;
}

function tool(name: AiAgentTool | typeof AI_HANDOFF_TOOL, args: z.ZodType): ProviderTool {
  return { name, description: DESCRIPTIONS[name], parameters: providerJsonSchema(args) };
}

/** rag agents may only hand off; tools agents get their enabled tools too, each once. */
export function agentTools(mode: AiAgentMode, enabled: readonly AiAgentTool[]): ProviderTool[] {
  const tools: ProviderTool[] = [];
  if (mode === 'tools') {
    for (const name of new Set(enabled)) tools.push(tool(name, AGENT_TOOL_ARGS[name]));
  }
  tools.push(tool(AI_HANDOFF_TOOL, ZHandoffArgs));
  return tools;
}
