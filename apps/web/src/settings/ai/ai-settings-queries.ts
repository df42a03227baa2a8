import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { TAiSettings, TUpdateAiSettingsRequest } from '@orbitdesk/shared';
import { api } from '../../api/client';

export const aiSettingsKey = ['ai-settings'] as const;

/** What `POST /ai/settings/test` answers: whether the provider replied, and what it said or why it failed. */
export interface AiConnectionTest {
  ok: boolean;
  message?: string;
  provider?: string;
  model?: string;
  latencyMs?: number;
}

export function useAiSettings(enabled = true) {
  return useQuery({
    queryKey: aiSettingsKey,
    queryFn: ({ signal }) => api<TAiSettings>('/ai/settings', { signal }),
    enabled,
  });
}

export function useSaveAiSettings() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: TUpdateAiSettingsRequest) => api<TAiSettings>('/ai/settings', { method: 'PUT', body }),
    onSuccess: (settings) => queryClient.setQueryData(aiSettingsKey, settings),
  });
}

export function useTestAiConnection() {
  return useMutation({
    mutationFn: () => api<AiConnectionTest>('/ai/settings/test', { method: 'POST' }),
  });
}
