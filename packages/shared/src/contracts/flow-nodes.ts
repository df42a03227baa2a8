import { z } from 'zod';

/**
 * The `data` of each flow node type, as the FlowGram editor stores it and the engine reads it. Objects are not
 * strict: the editor keeps its own display fields (title, collapsed, ...) next to the node's settings. Text fields
 * may hold {{variables}} (see docs/flows.md); they are rendered as text when the node runs.
 */

const ZText = (max: number) => z.string().min(1, 'is required').max(max);
/** A variable name as used in {{vars.name}}: letters, digits and underscores, not starting with a digit. */
export const ZFlowVariableName = z
  .string()
  .trim()
  .regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/, 'must be letters, digits or _ (not starting with a digit)')
  .refine((name) => !name.startsWith('__'), 'names starting with __ are reserved');

/** Seconds to days: how long a Delay or a Wait for Reply's timeout lasts. */
export const FLOW_DURATION_UNITS = ['seconds', 'minutes', 'hours', 'days'] as const;
/** The longest a flow may wait in one step: longer is almost surely a mistake in the unit. */
export const MAX_FLOW_WAIT_DAYS = 90;
export const ZFlowDuration = z
  .object({
    amount: z.number().int().min(1),
    unit: z.enum(FLOW_DURATION_UNITS),
  })
  .refine((d) => flowDurationMs(d) <= MAX_FLOW_WAIT_DAYS * 86_400_000, {
    message: `must be at most ${MAX_FLOW_WAIT_DAYS} days`,
    path: ['amount'],
  });
export type TFlowDuration = z.infer<typeof ZFlowDuration>;

export const ZTriggerNodeData = z.object({ title: z.string().max(200).optional() });

export const ZSendMessageNodeData = z.discriminatedUnion('messageType', [
  z.object({ messageType: z.literal('text'), text: ZText(4096) }),
  z.object({
    messageType: z.literal('template'),
    template: z.object({
      name: ZText(512),
      language: z.string().min(2).max(15),
      /** Body parameters in order; each may hold {{variables}}. */
      params: z.array(z.string().max(1024)).max(20).default([]),
    }),
  }),
  z.object({
    messageType: z.literal('media'),
    media: z.object({
      mediaType: z.enum(['image', 'video', 'audio', 'document']),
      url: ZText(2048),
      caption: z.string().max(1024).optional(),
      filename: z.string().max(255).optional(),
    }),
  }),
]);

export const CONDITION_OPERATORS = [
  'contains',
  'equals',
  'not_equals',
  'regex',
  'greater_than',
  'less_than',
  'is_empty',
  'not_empty',
] as const;
export const ZConditionRule = z.object({
  /** What is tested, usually a variable: `{{message.text}}`, `{{vars.age}}`. */
  left: z.string().max(2000),
  operator: z.enum(CONDITION_OPERATORS),
  /** A template, except for `regex`, where it is the pattern itself (never filled in). */
  right: z.string().max(2000).default(''),
  caseSensitive: z.boolean().default(false),
});
/** The port a Condition takes when no branch matches. */
export const CONDITION_ELSE_PORT = 'else';
export const ZConditionNodeData = z.object({
  /** Tried in order; the first whose rules hold wins. Each branch is an output port named by its id. */
  branches: z
    .array(
      z.object({
        id: z
          .string()
          .trim()
          .min(1)
          .max(100)
          .refine((id) => id !== CONDITION_ELSE_PORT, `"${CONDITION_ELSE_PORT}" is the else port`),
        label: z.string().max(200).optional(),
        combinator: z.enum(['AND', 'OR']).default('AND'),
        rules: z.array(ZConditionRule).min(1, 'needs at least one rule').max(20),
      }),
    )
    .min(1, 'needs at least one branch')
    .max(20)
    .refine((b) => new Set(b.map((x) => x.id)).size === b.length, 'branch ids must be unique'),
});

export const ZDelayNodeData = ZFlowDuration;

export const ZAiResponseNodeData = z.object({
  /** Instructions for the model; {{variables}} allowed. */
  prompt: ZText(8000),
  /** Send the answer to the contact, or only store it. */
  sendToContact: z.boolean().default(true),
  saveAs: ZFlowVariableName.optional(),
  agentId: z.uuid().optional(),
});

export const HTTP_REQUEST_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
export const ZHttpRequestNodeData = z.object({
  method: z.enum(HTTP_REQUEST_METHODS),
  url: ZText(2048),
  headers: z.record(z.string().max(256), z.string().max(4096)).default({}),
  body: z.string().max(65_536).optional(),
  timeoutMs: z.number().int().min(100).max(30_000).default(10_000),
  /** Variable name → dotted path into the JSON response (`data.id`); `status` and `body` are kept too. */
  responseMapping: z.record(ZFlowVariableName, z.string().max(256)).default({}),
  /** Where the answer's status code goes. */
  statusVariable: ZFlowVariableName.optional(),
});

export const ZSetVariableNodeData = z.object({
  assignments: z
    .array(
      z.object({
        name: ZFlowVariableName,
        value: z.string().max(10_000),
        type: z.enum(['string', 'number', 'boolean', 'json']).default('string'),
      }),
    )
    .min(1, 'needs at least one assignment')
    .max(50),
});

export const ZSendEmailNodeData = z.object({
  to: ZText(1024),
  subject: ZText(998),
  body: ZText(100_000),
  html: z.boolean().default(false),
  /** The email inbox to send from; the workspace's oldest active one when absent. */
  inboxId: z.uuid().optional(),
});

export const ZSendSmsNodeData = z.object({
  /** E.164 number or a variable; defaults to the contact's phone when absent. */
  to: z.string().max(256).optional(),
  text: ZText(1600),
  /** The Twilio SMS inbox to send from; the workspace's oldest active one when absent. */
  inboxId: z.uuid().optional(),
});

export const ZVoiceCallNodeData = z.object({
  to: z.string().max(256).optional(),
  /** Spoken with text-to-speech when the call is answered. */
  say: ZText(4000),
  /** A language tag (`en-US`). */
  language: z
    .string()
    .trim()
    .regex(/^[a-z]{2,3}(-[A-Za-z]{2,4}){0,2}$/, 'is not a language tag')
    .optional(),
  /** A Twilio <Say> voice (`alice`, `Polly.Joanna`, ...). */
  voice: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9.-]{1,60}$/, 'is not a voice name')
    .optional(),
  /** The Twilio SMS inbox whose number calls; the workspace's oldest active one when absent. */
  inboxId: z.uuid().optional(),
});

export const ZGoogleSheetsNodeData = z.object({
  spreadsheetId: ZText(256),
  sheet: ZText(256),
  /** One cell per entry, in order; each may hold {{variables}}. */
  values: z.array(z.string().max(4096)).min(1, 'needs at least one value').max(100),
});

/** Ports of a Loop: `item` runs once per element (with the element in vars[itemVariable]), then `done`. */
export const LOOP_PORTS = { item: 'item', done: 'done' } as const;
export const ZLoopNodeData = z.object({
  /** `{{vars.list}}` (a single placeholder giving a list) or a bare variable name. */
  items: z.string().trim().min(1, 'is required').max(500),
  itemVariable: ZFlowVariableName.default('item'),
  indexVariable: ZFlowVariableName.default('index'),
  maxIterations: z.number().int().min(1).max(1000).default(100),
});

export const ZEndNodeData = z.object({ title: z.string().max(200).optional() });

/** Wait for Reply's port when the timeout passes first; the default port is taken on a reply. */
export const WAIT_TIMEOUT_PORT = 'timeout';
export const ZWaitForReplyNodeData = z.object({
  /** Store the reply's text in this variable. */
  saveAs: ZFlowVariableName.optional(),
  timeout: ZFlowDuration.optional(),
});

export const ZHumanHandoffNodeData = z
  .object({
    teamId: z.uuid().optional(),
    agentId: z.uuid().optional(),
    /** A private note left in the conversation for whoever picks it up. */
    note: z.string().max(4000).optional(),
  })
  .refine((d) => d.teamId !== undefined || d.agentId !== undefined, {
    message: 'teamId or agentId is required',
    path: ['teamId'],
  });

export const FLOW_NODE_TYPES = [
  'trigger',
  'send_message',
  'condition',
  'delay',
  'ai_response',
  'http_request',
  'set_variable',
  'send_email',
  'send_sms',
  'voice_call',
  'google_sheets',
  'loop',
  'end',
  'wait_for_reply',
  'human_handoff',
] as const;
export type FlowNodeType = (typeof FLOW_NODE_TYPES)[number];

export const FLOW_NODE_DATA_SCHEMAS = {
  trigger: ZTriggerNodeData,
  send_message: ZSendMessageNodeData,
  condition: ZConditionNodeData,
  delay: ZDelayNodeData,
  ai_response: ZAiResponseNodeData,
  http_request: ZHttpRequestNodeData,
  set_variable: ZSetVariableNodeData,
  send_email: ZSendEmailNodeData,
  send_sms: ZSendSmsNodeData,
  voice_call: ZVoiceCallNodeData,
  google_sheets: ZGoogleSheetsNodeData,
  loop: ZLoopNodeData,
  end: ZEndNodeData,
  wait_for_reply: ZWaitForReplyNodeData,
  human_handoff: ZHumanHandoffNodeData,
} as const satisfies Record<FlowNodeType, z.ZodType>;

export type TTriggerNodeData = z.infer<typeof ZTriggerNodeData>;
export type TSendMessageNodeData = z.infer<typeof ZSendMessageNodeData>;
export type TConditionNodeData = z.infer<typeof ZConditionNodeData>;
export type TConditionRule = z.infer<typeof ZConditionRule>;
export type TDelayNodeData = z.infer<typeof ZDelayNodeData>;
export type TAiResponseNodeData = z.infer<typeof ZAiResponseNodeData>;
export type THttpRequestNodeData = z.infer<typeof ZHttpRequestNodeData>;
export type TSetVariableNodeData = z.infer<typeof ZSetVariableNodeData>;
export type TSendEmailNodeData = z.infer<typeof ZSendEmailNodeData>;
export type TSendSmsNodeData = z.infer<typeof ZSendSmsNodeData>;
export type TVoiceCallNodeData = z.infer<typeof ZVoiceCallNodeData>;
export type TGoogleSheetsNodeData = z.infer<typeof ZGoogleSheetsNodeData>;
export type TLoopNodeData = z.infer<typeof ZLoopNodeData>;
export type TEndNodeData = z.infer<typeof ZEndNodeData>;
export type TWaitForReplyNodeData = z.infer<typeof ZWaitForReplyNodeData>;
export type THumanHandoffNodeData = z.infer<typeof ZHumanHandoffNodeData>;

/** The fixed output ports of a node type (beyond the default one); Condition's come from its branches. */
export function flowNodePorts(type: FlowNodeType, data: unknown): string[] | undefined {
  switch (type) {
    case 'condition': {
      const parsed = ZConditionNodeData.safeParse(data);
      return parsed.success ? [...parsed.data.branches.map((b) => b.id), CONDITION_ELSE_PORT] : undefined;
    }
    case 'loop':
      return [LOOP_PORTS.item, LOOP_PORTS.done];
    case 'wait_for_reply':
      return [WAIT_TIMEOUT_PORT];
    case 'trigger':
    case 'send_message':
    case 'delay':
    case 'ai_response':
    case 'http_request':
    case 'set_variable':
    case 'send_email':
    case 'send_sms':
    case 'voice_call':
    case 'google_sheets':
    case 'end':
    case 'human_handoff':
      return undefined;
  }
}

/** Milliseconds of a duration, e.g. for a Delay's BullMQ job. */
export function flowDurationMs(d: { amount: number; unit: (typeof FLOW_DURATION_UNITS)[number] }): number {
  const unitMs = { seconds: 1_000, minutes: 60_000, hours: 3_600_000, days: 86_400_000 }[d.unit];
  return d.amount * unitMs;
}
