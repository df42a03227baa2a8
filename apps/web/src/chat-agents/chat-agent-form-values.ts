import type {
  AiAgentMode,
  AiAgentTool,
  AiProvider,
  TChatAgent,
  TCreateChatAgentRequest,
} from '@orbitdesk/shared';
import { topLevelField } from '../ui/contract-form';

export interface ChatAgentFormValues {
  name: string;
  description: string;
  mode: AiAgentMode;
  /** Empty: the workspace's AI settings. */
  provider: AiProvider | '';
  /** Empty: the provider's default model. */
  model: string;
  systemPrompt: string;
  tools: AiAgentTool[];
  maxIterations: number;
  handoffKeywords: string[];
  knowledgeBaseIds: string[];
  inboxIds: string[];
  enabled: boolean;
}

export const chatAgentField = topLevelField<ChatAgentFormValues>([
  'name',
  'description',
  'mode',
  'provider',
  'model',
  'systemPrompt',
  'tools',
  'maxIterations',
  'handoffKeywords',
  'knowledgeBaseIds',
  'inboxIds',
  'enabled',
]);

/** A new agent starts with the contract's defaults. */
export function toChatAgentForm(agent?: TChatAgent): ChatAgentFormValues {
  return {
    name: agent?.name ?? '',
    description: agent?.description ?? '',
    mode: agent?.mode ?? 'rag',
    provider: agent?.provider ?? '',
    model: agent?.model ?? '',
    systemPrompt: agent?.systemPrompt ?? '',
    tools: agent?.tools ?? [],
    maxIterations: agent?.maxIterations ?? 10,
    handoffKeywords: agent?.handoffKeywords ?? ['human', 'agent', 'operator'],
    knowledgeBaseIds: agent?.knowledgeBaseIds ?? [],
    inboxIds: agent?.inboxIds ?? [],
    enabled: agent?.enabled ?? true,
  };
}

/**
 * The whole agent as one body, for POST and PATCH alike. Tools belong to tool-calling mode only, and a model
 * is only meaningful with the provider it belongs to.
 */
export function toChatAgentBody(v: ChatAgentFormValues): Required<TCreateChatAgentRequest> {
  return {
    name: v.name.trim(),
    description: v.description.trim() || null,
    mode: v.mode,
    provider: v.provider || null,
    model: v.provider ? v.model.trim() || null : null,
    systemPrompt: v.systemPrompt,
    tools: v.mode === 'tools' ? v.tools : [],
    maxIterations: v.maxIterations,
    handoffKeywords: v.handoffKeywords,
    knowledgeBaseIds: v.knowledgeBaseIds,
    inboxIds: v.inboxIds,
    enabled: v.enabled,
  };
}

/** Inboxes already answered by another agent, with that agent's name (an inbox has at most one agent). */
export function inboxOwners(agents: readonly TChatAgent[], selfId: string | undefined): Map<string, string> {
  const owners = new Map<string, string>();
  for (const agent of agents) {
    if (agent.id === selfId) continue;
    for (const inboxId of agent.inboxIds) owners.set(inboxId, agent.name);
  }
  return owners;
}
