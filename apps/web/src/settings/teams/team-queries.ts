import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { TTeam } from '@orbitdesk/shared';
import { api } from '../../api/client';
import { keys as inboxKeys } from '../../inbox/queries';

/** The inbox's team menu reads the same list (inbox/queries useTeams): every change here refreshes it. */
function useRefreshTeams() {
  const queryClient = useQueryClient();
  return () => queryClient.invalidateQueries({ queryKey: inboxKeys.teams });
}

export function useCreateTeam() {
  const refresh = useRefreshTeams();
  return useMutation({
    mutationFn: (name: string) => api<TTeam>('/teams', { method: 'POST', body: { name } }),
    onSuccess: refresh,
  });
}

export function useRenameTeam() {
  const refresh = useRefreshTeams();
  return useMutation({
    mutationFn: ({ id, name }: { id: string; name: string }) =>
      api<TTeam>(`/teams/${id}`, { method: 'PATCH', body: { name } }),
    onSuccess: refresh,
  });
}

export function useSetTeamMembers() {
  const refresh = useRefreshTeams();
  return useMutation({
    mutationFn: ({ id, userIds }: { id: string; userIds: string[] }) =>
      api<TTeam>(`/teams/${id}/members`, { method: 'PUT', body: { userIds } }),
    onSuccess: refresh,
  });
}

export function useDeleteTeam() {
  const refresh = useRefreshTeams();
  return useMutation({
    mutationFn: (id: string) => api<TTeam>(`/teams/${id}`, { method: 'DELETE' }),
    onSuccess: refresh,
  });
}
