import { useInfiniteQuery, useMutation, useQueryClient } from '@tanstack/react-query';
import type { TenantStatus, TPlatformUserPage, TTenant, TTenantPage } from '@orbitdesk/shared';
import { api } from '../api/client';

export type TenantDecision = 'approve' | 'reject' | 'suspend' | 'reactivate';

const keys = {
  tenants: ['platform', 'tenants'] as const,
  users: ['platform', 'users'] as const,
};

export function useTenants(filters: { status: TenantStatus | ''; search: string }) {
  return useInfiniteQuery({
    queryKey: [...keys.tenants, filters],
    queryFn: ({ pageParam, signal }) =>
      api<TTenantPage>('/platform/tenants', {
        query: {
          status: filters.status || undefined,
          search: filters.search.trim() || undefined,
          cursor: pageParam ?? undefined,
          limit: 50,
        },
        signal,
      }),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor,
  });
}

export function usePlatformUsers(filters: { tenantId: string; search: string }) {
  return useInfiniteQuery({
    queryKey: [...keys.users, filters],
    queryFn: ({ pageParam, signal }) =>
      api<TPlatformUserPage>('/platform/users', {
        query: {
          tenantId: filters.tenantId || undefined,
          search: filters.search.trim() || undefined,
          cursor: pageParam ?? undefined,
          limit: 50,
        },
        signal,
      }),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor,
  });
}

/** Approve, reject, suspend or reactivate; every tenant list is refetched, since the status filter may drop it. */
export function useTenantDecision() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ id, decision, reason }: { id: string; decision: TenantDecision; reason?: string }) =>
      api<TTenant>(`/platform/tenants/${id}/${decision}`, {
        method: 'POST',
        body: reason ? { reason } : {},
      }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: keys.tenants }),
  });
}
