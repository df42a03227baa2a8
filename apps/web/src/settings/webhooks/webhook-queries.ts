import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type {
  TCreateWebhookEndpointRequest,
  TUpdateWebhookEndpointRequest,
  TWebhookDelivery,
  TWebhookDeliveryDetail,
  TWebhookDeliveryPage,
  TWebhookEndpoint,
  TWebhookEndpointList,
  TWebhookEndpointWithSecret,
  WebhookDeliveryStatus,
} from '@orbitdesk/shared';
import { api } from '../../api/client';

const base = '/outgoing-webhooks';
const keys = {
  endpoints: ['settings', 'webhook-endpoints'] as const,
  deliveries: (endpointId: string, status: WebhookDeliveryStatus | '') =>
    ['settings', 'webhook-deliveries', endpointId, status] as const,
  delivery: (id: string) => ['settings', 'webhook-delivery', id] as const,
};

export function useEndpoints() {
  return useQuery({
    queryKey: keys.endpoints,
    queryFn: ({ signal }) => api<TWebhookEndpointList>(`${base}/endpoints`, { signal }),
    select: (list) => list.items,
  });
}

function useEndpointMutation<I, O>(fn: (input: I) => Promise<O>) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: fn,
    onSuccess: () => queryClient.invalidateQueries({ queryKey: keys.endpoints }),
  });
}

export const useCreateEndpoint = () =>
  useEndpointMutation((body: TCreateWebhookEndpointRequest) =>
    api<TWebhookEndpointWithSecret>(`${base}/endpoints`, { method: 'POST', body }),
  );

export const useUpdateEndpoint = () =>
  useEndpointMutation(({ id, body }: { id: string; body: TUpdateWebhookEndpointRequest }) =>
    api<TWebhookEndpoint>(`${base}/endpoints/${id}`, { method: 'PATCH', body }),
  );

export const useRotateEndpointSecret = () =>
  useEndpointMutation((id: string) =>
    api<TWebhookEndpointWithSecret>(`${base}/endpoints/${id}/rotate-secret`, { method: 'POST' }),
  );

export const useDeleteEndpoint = () =>
  useEndpointMutation((id: string) => api<TWebhookEndpoint>(`${base}/endpoints/${id}`, { method: 'DELETE' }));

/** An endpoint's deliveries, newest first, optionally only those with one status. */
export function useDeliveries(endpointId: string, status: WebhookDeliveryStatus | '') {
  return useInfiniteQuery({
    queryKey: keys.deliveries(endpointId, status),
    queryFn: ({ pageParam, signal }) =>
      api<TWebhookDeliveryPage>(`${base}/endpoints/${endpointId}/deliveries`, {
        query: { cursor: pageParam ?? undefined, status: status || undefined, limit: 25 },
        signal,
      }),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor,
  });
}

export function useDelivery(id: string) {
  return useQuery({
    queryKey: keys.delivery(id),
    queryFn: ({ signal }) => api<TWebhookDeliveryDetail>(`${base}/deliveries/${id}`, { signal }),
  });
}

export function useResendDelivery(endpointId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api<TWebhookDelivery>(`${base}/deliveries/${id}/resend`, { method: 'POST' }),
    onSuccess: () =>
      queryClient.invalidateQueries({ queryKey: ['settings', 'webhook-deliveries', endpointId] }),
  });
}
