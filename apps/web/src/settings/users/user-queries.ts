import { useInfiniteQuery, useMutation, useQueryClient } from '@tanstack/react-query';
import type {
  TCreateUserRequest,
  TCreateUserResponse,
  TUpdateUserRequest,
  TUser,
  TUserPage,
} from '@orbitdesk/shared';
import { api } from '../../api/client';
import { keys as inboxKeys } from '../../inbox/queries';

const usersKey = ['settings', 'users'] as const;

export function useWorkspaceUsers() {
  return useInfiniteQuery({
    queryKey: usersKey,
    queryFn: ({ pageParam, signal }) =>
      api<TUserPage>('/users', { query: { cursor: pageParam ?? undefined, limit: 50 }, signal }),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor,
  });
}

/** The inbox's assignee menu and @mentions read their own users list; it changes with these too. */
function useRefreshUsers() {
  const queryClient = useQueryClient();
  return () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: usersKey }),
      queryClient.invalidateQueries({ queryKey: inboxKeys.users }),
    ]);
}

export function useCreateUser() {
  const refresh = useRefreshUsers();
  return useMutation({
    mutationFn: (body: TCreateUserRequest) => api<TCreateUserResponse>('/users', { method: 'POST', body }),
    onSuccess: refresh,
  });
}

export function useUpdateUser() {
  const refresh = useRefreshUsers();
  return useMutation({
    mutationFn: ({ id, body }: { id: string; body: TUpdateUserRequest }) =>
      api<TUser>(`/users/${id}`, { method: 'PATCH', body }),
    onSuccess: refresh,
  });
}

export function useDeactivateUser() {
  const refresh = useRefreshUsers();
  return useMutation({
    mutationFn: (id: string) => api<TUser>(`/users/${id}`, { method: 'DELETE' }),
    onSuccess: refresh,
  });
}
