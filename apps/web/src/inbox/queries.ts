import { useInfiniteQuery, useQuery, type InfiniteData } from '@tanstack/react-query';
import type {
  TInboxSummaryList,
  TContact,
  TConversation,
  TConversationPage,
  TMessagePage,
  TTeamList,
  TUserPage,
} from '@orbitdesk/shared';
import { api } from '../api/client';
import { listQuery, type InboxFilters } from './filters';

export const keys = {
  conversationLists: ['conversations'] as const,
  conversationList: (filters: InboxFilters) => ['conversations', filters] as const,
  conversation: (id: string) => ['conversation', id] as const,
  messages: (conversationId: string) => ['messages', conversationId] as const,
  contact: (id: string) => ['contact', id] as const,
  users: ['users'] as const,
  channels: ['channels'] as const,
  teams: ['teams'] as const,
};

export type ConversationPages = InfiniteData<TConversationPage, string | null>;
export type MessagePages = InfiniteData<TMessagePage, string | null>;

export function useConversationList(filters: InboxFilters) {
  return useInfiniteQuery({
    queryKey: keys.conversationList(filters),
    queryFn: ({ pageParam, signal }) =>
      api<TConversationPage>('/conversations', {
        query: { ...listQuery(filters), cursor: pageParam ?? undefined, limit: 25 },
        signal,
      }),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor,
  });
}

export function useConversation(id: string) {
  return useQuery({
    queryKey: keys.conversation(id),
    queryFn: ({ signal }) => api<TConversation>(`/conversations/${id}`, { signal }),
  });
}

/** Newest first, as the API pages them; the thread shows the pages reversed. */
export function useMessages(conversationId: string) {
  return useInfiniteQuery({
    queryKey: keys.messages(conversationId),
    queryFn: ({ pageParam, signal }) =>
      api<TMessagePage>(`/conversations/${conversationId}/messages`, {
        query: { cursor: pageParam ?? undefined, limit: 30 },
        signal,
      }),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor,
  });
}

export function useContact(id: string) {
  return useQuery({
    queryKey: keys.contact(id),
    queryFn: ({ signal }) => api<TContact>(`/contacts/${id}`, { signal }),
    staleTime: 5 * 60_000,
  });
}

/** The workspace's users (assignees, @mentions). */
export function useUsers() {
  return useQuery({
    queryKey: keys.users,
    queryFn: ({ signal }) => api<TUserPage>('/users', { query: { limit: 100 }, signal }),
    staleTime: 5 * 60_000,
    select: (page) => page.items,
  });
}

/** The workspace's teams (a conversation's team, Settings → Teams). */
export function useTeams() {
  return useQuery({
    queryKey: keys.teams,
    queryFn: async ({ signal }) => (await api<TTeamList>('/teams', { signal })).items,
    staleTime: 5 * 60_000,
  });
}

/** The workspace's inboxes (id, type, name) for every user: the inbox filter, labels and the service window. */
export function useChannels() {
  return useQuery({
    queryKey: keys.channels,
    queryFn: async ({ signal }) => (await api<TInboxSummaryList>('/inboxes', { signal })).items,
    staleTime: 5 * 60_000,
  });
}
