import type { TChatAgent } from '@orbitdesk/shared';
import type { ChatAgentWithLinks } from './chat-agents.repository.js';

export const toChatAgentDto = ({ agent: a, knowledgeBaseIds, inboxIds }: ChatAgentWithLinks): TChatAgent => ({
  id: a.id,
  name: a.name,
  description: a.description,
  mode: a.mode,
  provider: a.provider,
  model: a.model,
  systemPrompt: a.systemPrompt,
  tools: a.tools,
  maxIterations: a.maxIterations,
  handoffKeywords: a.handoffKeywords,
  knowledgeBaseIds,
  inboxIds,
  enabled: a.enabled,
  createdAt: a.createdAt.toISOString(),
  updatedAt: a.updatedAt.toISOString(),
});
