import { z } from 'zod';
import { ZCursorQuery, ZIsoDate, ZPage } from './common.js';
import { ZFlowVariableName } from './flow-nodes.js';

/*
 * Two families of contracts live here:
 *  1. the AI service's wire (services/ai): what the API sends it and what it answers, and the tool-callback
 *     the service makes back into the API;
 *  2. the API's own resources built on it: AI settings, chat agents, knowledge bases and their sources.
 */

// ---------------------------------------------------------------------------------------------------------------
// Providers

export const AI_PROVIDERS = ['local', 'openai', 'anthropic', 'gemini', 'mistral', 'deepseek', 'xai'] as const;
export type AiProvider = (typeof AI_PROVIDERS)[number];

/** The model each provider uses when the tenant or agent names none. */
export const AI_DEFAULT_MODELS: Record<AiProvider, string> = {
  local: 'orbitdesk-local-1',
  openai: 'gpt-4o-mini',
  anthropic: 'claude-3-5-haiku-latest',
  gemini: 'gemini-2.0-flash',
  mistral: 'mistral-small-latest',
  deepseek: 'deepseek-chat',
  xai: 'grok-2-latest',
};

/** Who answers, as passed per request by the API (the key unsealed for this call only). */
export const ZAiProviderConfig = z.strictObject({
  provider: z.enum(AI_PROVIDERS),
  model: z.string().trim().min(1).max(200),
  /** Required for every provider but `local`. */
  apiKey: z.string().min(1).max(500).optional(),
  /** Overrides the provider's API address (self-hosted gateways, tests). */
  baseUrl: z.url().optional(),
  timeoutMs: z.number().int().min(1000).max(120_000).default(30_000),
  /** Retries on 429 and 5xx, with backoff. */
  maxRetries: z.number().int().min(0).max(5).default(2),
});
export type TAiProviderConfig = z.input<typeof ZAiProviderConfig>;

export const ZAiUsage = z.object({
  inputTokens: z.number().int().nonnegative(),
  outputTokens: z.number().int().nonnegative(),
});
export type TAiUsage = z.infer<typeof ZAiUsage>;

export const ZAiChatMessage = z.strictObject({
  role: z.enum(['user', 'assistant']),
  content: z.string().max(20_000),
});
export type TAiChatMessage = z.infer<typeof ZAiChatMessage>;

// ---------------------------------------------------------------------------------------------------------------
// services/ai routes

export const ZChatCompletionRequest = z.strictObject({
  provider: ZAiProviderConfig,
  system: z.string().max(20_000).optional(),
  messages: z.array(ZAiChatMessage).min(1).max(100),
  temperature: z.number().min(0).max(2).optional(),
  maxTokens: z.number().int().min(1).max(8192).optional(),
});
export type TChatCompletionRequest = z.input<typeof ZChatCompletionRequest>;

export const ZChatCompletionResponse = z.object({
  text: z.string(),
  provider: z.enum(AI_PROVIDERS),
  model: z.string(),
  usage: ZAiUsage,
});
export type TChatCompletionResponse = z.infer<typeof ZChatCompletionResponse>;

/** Providers that can embed; the others embed with `local`. */
export const AI_EMBEDDING_PROVIDERS = ['local', 'openai', 'gemini', 'mistral'] as const;

export const ZEmbedRequest = z.strictObject({
  provider: ZAiProviderConfig,
  texts: z.array(z.string().max(20_000)).min(1).max(256),
});
export type TEmbedRequest = z.input<typeof ZEmbedRequest>;

export const ZEmbedResponse = z.object({
  /** `provider:model`, stored with the vectors: a query must be embedded by the same model. */
  model: z.string(),
  dimensions: z.number().int().positive(),
  /** Unit-length vectors, one per text, in order. */
  vectors: z.array(z.array(z.number())),
  usage: ZAiUsage,
});
export type TEmbedResponse = z.infer<typeof ZEmbedResponse>;

export const MESSAGE_INTENTS = [
  'question',
  'complaint',
  'purchase',
  'support',
  'billing',
  'feedback',
  'greeting',
  'spam',
  'other',
] as const;
export type MessageIntent = (typeof MESSAGE_INTENTS)[number];

export const ZClassifyRequest = z.strictObject({
  provider: ZAiProviderConfig,
  text: z.string().min(1).max(20_000),
});
export type TClassifyRequest = z.input<typeof ZClassifyRequest>;

export const ZClassifyResponse = z.object({
  intent: z.enum(MESSAGE_INTENTS),
  confidence: z.number().min(0).max(1),
  sentiment: z.number().min(-1).max(1),
  /** ISO 639-1 code, or `und` when the text is too short or unknown. */
  language: z.string().min(2).max(3),
  /** `provider:model` that decided. */
  model: z.string(),
  usage: ZAiUsage,
});
export type TClassifyResponse = z.infer<typeof ZClassifyResponse>;

/** A knowledge chunk as retrieved by the API and handed to the AI service. */
export const ZRagChunk = z.strictObject({
  id: z.string(),
  sourceId: z.string(),
  sourceName: z.string(),
  text: z.string().max(20_000),
  score: z.number(),
});
export type TRagChunk = z.infer<typeof ZRagChunk>;

export const ZRagCitation = z.object({
  chunkId: z.string(),
  sourceId: z.string(),
  sourceName: z.string(),
});
export type TRagCitation = z.infer<typeof ZRagCitation>;

export const ZRagQueryRequest = z.strictObject({
  provider: ZAiProviderConfig,
  question: z.string().min(1).max(20_000),
  chunks: z.array(ZRagChunk).max(50),
  system: z.string().max(20_000).optional(),
  history: z.array(ZAiChatMessage).max(50).default([]),
});
export type TRagQueryRequest = z.input<typeof ZRagQueryRequest>;

export const ZRagQueryResponse = z.object({
  answer: z.string(),
  /** The chunks the answer rests on; empty when the context did not hold the answer. */
  citations: z.array(ZRagCitation),
  /** The context did not answer the question (the answer says so). */
  answered: z.boolean(),
  usage: ZAiUsage,
});
export type TRagQueryResponse = z.infer<typeof ZRagQueryResponse>;

export const AI_AGENT_MODES = ['rag', 'tools'] as const;
export type AiAgentMode = (typeof AI_AGENT_MODES)[number];

/** Tools an agent may be given; each runs inside the tenant's scope by calling the API back. */
export const AI_AGENT_TOOLS = [
  'lookup_crm',
  'update_contact',
  'book_appointment',
  'trigger_flow',
  'update_conversation',
] as const;
export type AiAgentTool = (typeof AI_AGENT_TOOLS)[number];
/** Always offered: the agent asks for a human. Handled by the API from the reply, not by a callback. */
export const AI_HANDOFF_TOOL = 'handoff_to_human';

export const ZAgentChatRequest = z.strictObject({
  provider: ZAiProviderConfig,
  agent: z.strictObject({
    id: z.string(),
    name: z.string(),
    mode: z.enum(AI_AGENT_MODES),
    systemPrompt: z.string().max(20_000),
    tools: z.array(z.enum(AI_AGENT_TOOLS)),
    maxIterations: z.number().int().min(1).max(20).default(10),
  }),
  tenant: z.strictObject({ id: z.string(), name: z.string() }),
  contact: z.strictObject({
    id: z.string(),
    name: z.string().nullable(),
    phone: z.string().nullable(),
    email: z.string().nullable(),
    tags: z.array(z.string()),
    customFields: z.record(z.string(), z.unknown()),
  }),
  conversation: z.strictObject({ id: z.string(), number: z.number().int(), channelType: z.string() }),
  /** Earlier turns, oldest first, not including `message`. */
  history: z.array(ZAiChatMessage).max(50).default([]),
  message: z.string().min(1).max(20_000),
  /** Retrieved knowledge (rag mode): the agent answers from it and cites it. */
  knowledge: z.array(ZRagChunk).max(50).default([]),
  /** Where tools run: POST {url}/{tool} with `Authorization: Bearer {token}` and the arguments as JSON. */
  toolCallback: z.strictObject({ url: z.url(), token: z.string().min(1) }).optional(),
});
export type TAgentChatRequest = z.input<typeof ZAgentChatRequest>;

export const ZAgentToolCallLog = z.object({
  name: z.string(),
  arguments: z.record(z.string(), z.unknown()),
  ok: z.boolean(),
  result: z.unknown(),
});
export type TAgentToolCallLog = z.infer<typeof ZAgentToolCallLog>;

export const ZAgentChatResponse = z.object({
  reply: z.string(),
  /** The loop ran out of iterations or the provider failed for good: `reply` is the polite fallback. */
  fallbackUsed: z.boolean(),
  fallbackReason: z.enum(['max_iterations', 'provider_error']).nullable(),
  /** The agent asked for a human (handoff tool). */
  handoff: z.boolean(),
  handoffReason: z.string().nullable(),
  iterations: z.number().int().nonnegative(),
  toolCalls: z.array(ZAgentToolCallLog),
  citations: z.array(ZRagCitation),
  usage: ZAiUsage,
});
export type TAgentChatResponse = z.infer<typeof ZAgentChatResponse>;

/** The tool-callback's answer (API → AI service). */
export const ZAiToolResult = z.object({ ok: z.boolean(), result: z.unknown(), error: z.string().optional() });
export type TAiToolResult = z.infer<typeof ZAiToolResult>;

export const ZBookAppointmentArgs = z.strictObject({
  startsAt: z.iso.datetime({ offset: true }),
  durationMinutes: z.number().int().min(5).max(480).default(30),
  title: z.string().trim().min(1).max(200).default('Appointment'),
  notes: z.string().max(2000).optional(),
});
export const ZUpdateContactArgs = z.strictObject({
  name: z.string().trim().min(1).max(200).optional(),
  email: z.email().optional(),
  tags: z.array(z.string().trim().min(1).max(50)).max(50).optional(),
  customFields: z.record(z.string(), z.unknown()).optional(),
});
/** What trigger_flow may hand a flow as {{vars.name}}: at most 20 variables, 8,192 characters as JSON. */
export const TRIGGER_FLOW_MAX_VARIABLES = 20;
export const TRIGGER_FLOW_MAX_VARIABLES_JSON = 8 * 1024;
export const ZTriggerFlowArgs = z.strictObject({
  flowId: z.uuid().optional(),
  flowName: z.string().trim().min(1).max(200).optional(),
  variables: z
    .record(z.string(), z.unknown())
    .superRefine((v, ctx) => {
      for (const name of Object.keys(v)) {
        const checked = ZFlowVariableName.safeParse(name);
        if (!checked.success)
          ctx.addIssue({
            code: 'custom',
            path: [name],
            message: `not a variable name: ${checked.error.issues[0]?.message ?? 'invalid'}`,
          });
      }
    })
    .refine((v) => Object.keys(v).length <= TRIGGER_FLOW_MAX_VARIABLES, {
      message: `at most ${TRIGGER_FLOW_MAX_VARIABLES} variables`,
    })
    .refine((v) => JSON.stringify(v).length <= TRIGGER_FLOW_MAX_VARIABLES_JSON, {
      message: `at most ${TRIGGER_FLOW_MAX_VARIABLES_JSON} characters as JSON`,
    })
    .optional(),
});
export const ZUpdateConversationArgs = z.strictObject({
  status: z.enum(['open', 'pending', 'resolved']).optional(),
  priority: z.enum(['none', 'low', 'medium', 'high', 'urgent']).optional(),
  addTags: z.array(z.string().trim().min(1).max(50)).max(20).optional(),
});

// ---------------------------------------------------------------------------------------------------------------
// API resources

export const ZMessageUnderstanding = z.object({
  intent: z.enum(MESSAGE_INTENTS),
  confidence: z.number(),
  sentiment: z.number(),
  language: z.string(),
  model: z.string(),
});
export type TMessageUnderstanding = z.infer<typeof ZMessageUnderstanding>;

/** The workspace's AI settings; the key is never returned, only its last 4 characters. */
export const ZAiSettings = z.object({
  provider: z.enum(AI_PROVIDERS),
  model: z.string(),
  apiKeyLast4: z.string().nullable(),
  baseUrl: z.string().nullable(),
  /** Classify every inbound message (intent, sentiment, language). */
  understandingEnabled: z.boolean(),
  updatedAt: ZIsoDate.nullable(),
});
export type TAiSettings = z.infer<typeof ZAiSettings>;

export const ZUpdateAiSettingsRequest = z.strictObject({
  provider: z.enum(AI_PROVIDERS),
  model: z.string().trim().min(1).max(200).optional(),
  /** A new key; omit to keep the stored one, `null` to remove it. */
  apiKey: z.string().trim().min(8).max(500).nullable().optional(),
  baseUrl: z.url().nullable().optional(),
  understandingEnabled: z.boolean().optional(),
});
export type TUpdateAiSettingsRequest = z.infer<typeof ZUpdateAiSettingsRequest>;

/** `POST /ai/settings/test`: one tiny completion with the stored settings; a provider's refusal is `ok: false`. */
export const ZAiSettingsTestResponse = z.object({
  ok: z.boolean(),
  provider: z.enum(AI_PROVIDERS),
  model: z.string(),
  /** What the model answered, or the provider's (or the AI service's) error in its own words. */
  message: z.string(),
});
export type TAiSettingsTestResponse = z.infer<typeof ZAiSettingsTestResponse>;

export const ZChatAgent = z.object({
  id: z.uuid(),
  name: z.string(),
  description: z.string().nullable(),
  mode: z.enum(AI_AGENT_MODES),
  /** Null: the workspace's AI settings. */
  provider: z.enum(AI_PROVIDERS).nullable(),
  model: z.string().nullable(),
  systemPrompt: z.string(),
  tools: z.array(z.enum(AI_AGENT_TOOLS)),
  maxIterations: z.number().int(),
  handoffKeywords: z.array(z.string()),
  knowledgeBaseIds: z.array(z.uuid()),
  inboxIds: z.array(z.uuid()),
  enabled: z.boolean(),
  createdAt: ZIsoDate,
  updatedAt: ZIsoDate,
});
export type TChatAgent = z.infer<typeof ZChatAgent>;

export const ZChatAgentList = z.object({ items: z.array(ZChatAgent) });
export type TChatAgentList = z.infer<typeof ZChatAgentList>;

const ZChatAgentFields = {
  name: z.string().trim().min(1).max(100),
  description: z.string().trim().max(1000).nullable(),
  mode: z.enum(AI_AGENT_MODES),
  provider: z.enum(AI_PROVIDERS).nullable(),
  model: z.string().trim().min(1).max(200).nullable(),
  systemPrompt: z.string().max(20_000),
  tools: z.array(z.enum(AI_AGENT_TOOLS)).refine((t) => new Set(t).size === t.length, 'tools must not repeat'),
  maxIterations: z.number().int().min(1).max(20),
  handoffKeywords: z.array(z.string().trim().min(1).max(100)).max(50),
  knowledgeBaseIds: z.array(z.uuid()).max(20),
  /** An inbox has at most one agent: assigning it here takes it from any other agent. */
  inboxIds: z.array(z.uuid()).max(100),
  enabled: z.boolean(),
};

export const ZCreateChatAgentRequest = z.strictObject({
  name: ZChatAgentFields.name,
  description: ZChatAgentFields.description.default(null),
  mode: ZChatAgentFields.mode.default('rag'),
  provider: ZChatAgentFields.provider.default(null),
  model: ZChatAgentFields.model.default(null),
  systemPrompt: ZChatAgentFields.systemPrompt.default(''),
  tools: ZChatAgentFields.tools.default([]),
  maxIterations: ZChatAgentFields.maxIterations.default(10),
  handoffKeywords: ZChatAgentFields.handoffKeywords.default(['human', 'agent', 'operator']),
  knowledgeBaseIds: ZChatAgentFields.knowledgeBaseIds.default([]),
  inboxIds: ZChatAgentFields.inboxIds.default([]),
  enabled: ZChatAgentFields.enabled.default(true),
});
export type TCreateChatAgentRequest = z.input<typeof ZCreateChatAgentRequest>;

export const ZUpdateChatAgentRequest = z.strictObject({
  name: ZChatAgentFields.name.optional(),
  description: ZChatAgentFields.description.optional(),
  mode: ZChatAgentFields.mode.optional(),
  provider: ZChatAgentFields.provider.optional(),
  model: ZChatAgentFields.model.optional(),
  systemPrompt: ZChatAgentFields.systemPrompt.optional(),
  tools: ZChatAgentFields.tools.optional(),
  maxIterations: ZChatAgentFields.maxIterations.optional(),
  handoffKeywords: ZChatAgentFields.handoffKeywords.optional(),
  knowledgeBaseIds: ZChatAgentFields.knowledgeBaseIds.optional(),
  inboxIds: ZChatAgentFields.inboxIds.optional(),
  enabled: ZChatAgentFields.enabled.optional(),
});
export type TUpdateChatAgentRequest = z.infer<typeof ZUpdateChatAgentRequest>;

/** Try an agent without a conversation (the agent page's preview): no tools run, nothing is sent. */
export const ZChatAgentPreviewRequest = z.strictObject({ message: z.string().trim().min(1).max(4000) });
export const ZChatAgentPreviewResponse = z.object({
  reply: z.string(),
  citations: z.array(ZRagCitation),
  fallbackUsed: z.boolean(),
  handoff: z.boolean(),
});
export type TChatAgentPreviewResponse = z.infer<typeof ZChatAgentPreviewResponse>;

export const KNOWLEDGE_SOURCE_TYPES = ['FILE', 'URL', 'TEXT'] as const;
export type KnowledgeSourceType = (typeof KNOWLEDGE_SOURCE_TYPES)[number];
export const KNOWLEDGE_SOURCE_STATUSES = ['pending', 'processing', 'ready', 'failed'] as const;
export type KnowledgeSourceStatus = (typeof KNOWLEDGE_SOURCE_STATUSES)[number];

export const ZKnowledgeBase = z.object({
  id: z.uuid(),
  name: z.string(),
  description: z.string().nullable(),
  /** `provider:model` of the stored vectors. */
  embeddingModel: z.string(),
  sourceCount: z.number().int(),
  chunkCount: z.number().int(),
  createdAt: ZIsoDate,
  updatedAt: ZIsoDate,
});
export type TKnowledgeBase = z.infer<typeof ZKnowledgeBase>;
export const ZKnowledgeBaseList = z.object({ items: z.array(ZKnowledgeBase) });
export type TKnowledgeBaseList = z.infer<typeof ZKnowledgeBaseList>;

export const ZCreateKnowledgeBaseRequest = z.strictObject({
  name: z.string().trim().min(1).max(100),
  description: z.string().trim().max(1000).nullable().default(null),
});
export type TCreateKnowledgeBaseRequest = z.input<typeof ZCreateKnowledgeBaseRequest>;
export const ZUpdateKnowledgeBaseRequest = z.strictObject({
  name: z.string().trim().min(1).max(100).optional(),
  description: z.string().trim().max(1000).nullable().optional(),
});
export type TUpdateKnowledgeBaseRequest = z.infer<typeof ZUpdateKnowledgeBaseRequest>;

export const ZKnowledgeSource = z.object({
  id: z.uuid(),
  knowledgeBaseId: z.uuid(),
  type: z.enum(KNOWLEDGE_SOURCE_TYPES),
  /** File name, URL, or the title given to a text. */
  name: z.string(),
  url: z.string().nullable(),
  mimeType: z.string().nullable(),
  sizeBytes: z.number().int().nullable(),
  status: z.enum(KNOWLEDGE_SOURCE_STATUSES),
  /** 0–100 while processing. */
  progress: z.number().int().min(0).max(100),
  error: z.string().nullable(),
  chunkCount: z.number().int(),
  indexedAt: ZIsoDate.nullable(),
  createdAt: ZIsoDate,
  updatedAt: ZIsoDate,
});
export type TKnowledgeSource = z.infer<typeof ZKnowledgeSource>;
export const ZKnowledgeSourcePage = ZPage(ZKnowledgeSource);
export type TKnowledgeSourcePage = z.infer<typeof ZKnowledgeSourcePage>;
export const ZListKnowledgeSourcesQuery = ZCursorQuery;

/** TEXT and URL sources are created with JSON; FILE sources with multipart/form-data (field `file`). */
export const ZCreateKnowledgeSourceRequest = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('TEXT'),
    name: z.string().trim().min(1).max(200),
    /** Within the API's 1 MiB JSON body limit even for non-ASCII text; longer texts go in as a .txt upload. */
    text: z.string().trim().min(1).max(400_000),
  }),
  z.strictObject({
    type: z.literal('URL'),
    url: z.url({ protocol: /^https?$/ }).max(2000),
    name: z.string().trim().min(1).max(200).optional(),
  }),
]);
export type TCreateKnowledgeSourceRequest = z.infer<typeof ZCreateKnowledgeSourceRequest>;

/** Accepted upload types (by extension and content type). */
export const KNOWLEDGE_FILE_TYPES = {
  pdf: 'application/pdf',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  txt: 'text/plain',
  csv: 'text/csv',
} as const;
export const KNOWLEDGE_MAX_FILE_BYTES = 20 * 1024 * 1024;

export const ZKnowledgeSearchRequest = z.strictObject({
  query: z.string().trim().min(1).max(2000),
  topK: z.number().int().min(1).max(50).default(5),
});
export type TKnowledgeSearchRequest = z.input<typeof ZKnowledgeSearchRequest>;
export const ZKnowledgeSearchHit = z.object({
  chunkId: z.uuid(),
  sourceId: z.uuid(),
  sourceName: z.string(),
  text: z.string(),
  /** Reciprocal-rank fusion score of the full-text and vector rankings. */
  score: z.number(),
  textRank: z.number().int().nullable(),
  vectorRank: z.number().int().nullable(),
});
export type TKnowledgeSearchHit = z.infer<typeof ZKnowledgeSearchHit>;
export const ZKnowledgeSearchResponse = z.object({ hits: z.array(ZKnowledgeSearchHit) });
export type TKnowledgeSearchResponse = z.infer<typeof ZKnowledgeSearchResponse>;

export const ZAppointment = z.object({
  id: z.uuid(),
  contactId: z.uuid(),
  conversationId: z.uuid().nullable(),
  title: z.string(),
  startsAt: ZIsoDate,
  durationMinutes: z.number().int(),
  notes: z.string().nullable(),
  createdBy: z.string(),
  createdAt: ZIsoDate,
});
export type TAppointment = z.infer<typeof ZAppointment>;
export const ZAppointmentList = z.object({ items: z.array(ZAppointment) });

export const ZIntentStats = z.object({
  /** Inbound messages classified in the window, by intent. */
  intents: z.array(z.object({ intent: z.enum(MESSAGE_INTENTS), count: z.number().int() })),
  averageSentiment: z.number().nullable(),
  languages: z.array(z.object({ language: z.string(), count: z.number().int() })),
});
export type TIntentStats = z.infer<typeof ZIntentStats>;

/** `GET /analytics/intents`: the window, from inclusive to exclusive; the last 30 days when not given. */
export const ZIntentStatsQuery = z
  .strictObject({
    from: z.union([ZIsoDate, z.iso.date()]).optional(),
    to: z.union([ZIsoDate, z.iso.date()]).optional(),
  })
  .refine((q) => !q.from || !q.to || new Date(q.from) < new Date(q.to), {
    message: 'must be before to',
    path: ['from'],
  });
export type TIntentStatsQuery = z.infer<typeof ZIntentStatsQuery>;
