import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { TApiKey, TCreateApiKeyRequest, TCreateApiKeyResponse } from '@orbitdesk/shared';
import { api } from '../../api/client';

const apiKeysKey = ['settings', 'api-keys'] as const;

export function useApiKeys() {
  return useQuery({
    queryKey: apiKeysKey,
    queryFn: ({ signal }) => api<{ items: TApiKey[] }>('/api-keys', { signal }),
    select: (list) => list.items,
  });
}

export function useCreateApiKey() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: TCreateApiKeyRequest) =>
      api<TCreateApiKeyResponse>('/api-keys', { method: 'POST', body }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: apiKeysKey }),
  });
}

export function useRevokeApiKey() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api<TApiKey>(`/api-keys/${id}`, { method: 'DELETE' }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: apiKeysKey }),
  });
}
