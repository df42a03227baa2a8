import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type {
  TChatAgent,
  TChatAgentList,
  TChatAgentPreviewResponse,
  TCreateChatAgentRequest,
  TUpdateChatAgentRequest,
} from '@orbitdesk/shared';
import { api } from '../api/client';

export const chatAgentKeys = {
  list: ['chat-agents'] as const,
  agent: (id: string) => ['chat-agent', id] as const,
};

/** Every agent of the workspace (the list, the inbox ownership warnings, the inbox's "AI agent" badge). */
export function useChatAgents(enabled = true) {
  return useQuery({
    queryKey: chatAgentKeys.list,
    queryFn: async ({ signal }) => (await api<TChatAgentList>('/chat-agents', { signal })).items,
    enabled,
    staleTime: 60_000,
  });
}

export function useChatAgent(id: string) {
  return useQuery({
    queryKey: chatAgentKeys.agent(id),
    queryFn: ({ signal }) => api<TChatAgent>(`/chat-agents/${id}`, { signal }),
  });
}

/** Giving an agent an inbox takes it from any other agent, so every write refetches the whole list. */
function useAgentWrite<V>(fn: (vars: V) => Promise<TChatAgent | void>) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: fn,
    onSuccess: async (agent) => {
      if (agent) queryClient.setQueryData(chatAgentKeys.agent(agent.id), agent);
      await queryClient.invalidateQueries({ queryKey: chatAgentKeys.list });
    },
  });
}

export const useCreateChatAgent = () =>
  useAgentWrite((body: TCreateChatAgentRequest) => api<TChatAgent>('/chat-agents', { method: 'POST', body }));

export const useUpdateChatAgent = () =>
  useAgentWrite(({ id, body }: { id: string; body: TUpdateChatAgentRequest }) =>
    api<TChatAgent>(`/chat-agents/${id}`, { method: 'PATCH', body }),
  );

export const useDeleteChatAgent = () =>
  useAgentWrite(async (id: string) => {
    await api<unknown>(`/chat-agents/${id}`, { method: 'DELETE' });
  });

/** Runs the saved agent on one message: nothing is sent and no tool runs. */
export function usePreviewChatAgent(id: string) {
  return useMutation({
    mutationFn: (message: string) =>
      api<TChatAgentPreviewResponse>(`/chat-agents/${id}/preview`, { method: 'POST', body: { message } }),
  });
}
