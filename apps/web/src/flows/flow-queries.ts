import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type {
  TCreateFlowRequest,
  TFlow,
  TFlowPage,
  TFlowSessionDetail,
  TTestFlowRequest,
  TUpdateFlowRequest,
} from '@orbitdesk/shared';
import { api } from '../api/client';

export const flowKeys = {
  list: ['flows'] as const,
  one: (id: string) => ['flow', id] as const,
};

export function useFlowList() {
  return useQuery({
    queryKey: flowKeys.list,
    queryFn: ({ signal }) => api<TFlowPage>('/flows', { query: { limit: 100 }, signal }),
  });
}

export function useFlow(id: string) {
  return useQuery({
    queryKey: flowKeys.one(id),
    queryFn: ({ signal }) => api<TFlow>(`/flows/${id}`, { signal }),
  });
}

/** Every mutation answers the whole flow: the cache takes it as is and the list refetches. */
function useFlowMutation<V>(id: string, call: (vars: V) => Promise<TFlow>) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: call,
    onSuccess: (flow) => {
      queryClient.setQueryData(flowKeys.one(id), flow);
      void queryClient.invalidateQueries({ queryKey: flowKeys.list });
    },
  });
}

export function useCreateFlow() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: TCreateFlowRequest) => api<TFlow>('/flows', { method: 'POST', body }),
    onSuccess: (flow) => {
      queryClient.setQueryData(flowKeys.one(flow.id), flow);
      void queryClient.invalidateQueries({ queryKey: flowKeys.list });
    },
  });
}

export const useUpdateFlow = (id: string) =>
  useFlowMutation(id, (body: TUpdateFlowRequest) => api<TFlow>(`/flows/${id}`, { method: 'PATCH', body }));

export const usePublishFlow = (id: string) =>
  useFlowMutation(id, () => api<TFlow>(`/flows/${id}/publish`, { method: 'POST' }));

export const useRegenerateWebhookToken = (id: string) =>
  useFlowMutation(id, () => api<TFlow>(`/flows/${id}/regenerate-webhook-token`, { method: 'POST' }));

export const useSetWebhookSecret = (id: string) =>
  useFlowMutation(id, (secret: string | null) =>
    api<TFlow>(`/flows/${id}/webhook-secret`, { method: 'PATCH', body: { secret } }),
  );

export function useTestFlow(id: string) {
  return useMutation({
    mutationFn: (body: TTestFlowRequest) =>
      api<TFlowSessionDetail>(`/flows/${id}/test`, { method: 'POST', body }),
  });
}
