import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { TAiSettings, TAiSettingsTestResponse, TUpdateAiSettingsRequest } from '@orbitdesk/shared';
import { api } from '../../api/client';

export const aiSettingsKey = ['ai-settings'] as const;

export function useAiSettings() {
  return useQuery({
    queryKey: aiSettingsKey,
    queryFn: ({ signal }) => api<TAiSettings>('/ai/settings', { signal }),
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
    mutationFn: () => api<TAiSettingsTestResponse>('/ai/settings/test', { method: 'POST' }),
  });
}
