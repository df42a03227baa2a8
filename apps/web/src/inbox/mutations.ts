import { useMutation, useQueryClient } from '@tanstack/react-query';
import type {
  TAttachment,
  TConversation,
  TMessage,
  TSendMessageRequest,
  TUpdateConversationRequest,
} from '@orbitdesk/shared';
import { api } from '../api/client';
import { useCurrentUser } from '../auth/use-session';
import { upsertConversation, upsertMessage } from './live-cache';

export function useUpdateConversation(id: string) {
  const queryClient = useQueryClient();
  const me = useCurrentUser();
  return useMutation({
    mutationFn: (body: TUpdateConversationRequest) =>
      api<TConversation>(`/conversations/${id}`, { method: 'PATCH', body }),
    onSuccess: (conversation) => upsertConversation(queryClient, conversation, me.id),
  });
}

export function useMarkRead() {
  const queryClient = useQueryClient();
  const me = useCurrentUser();
  return useMutation({
    mutationFn: (id: string) => api<TConversation>(`/conversations/${id}/read`, { method: 'POST' }),
    onSuccess: (conversation) => upsertConversation(queryClient, conversation, me.id),
  });
}

type SendInput = Omit<TSendMessageRequest, 'isPrivate'> & { isPrivate: boolean };

export function useSendMessage() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: SendInput) => api<TMessage>('/messages', { method: 'POST', body }),
    onSuccess: (message) => upsertMessage(queryClient, message),
  });
}

export function uploadAttachment(file: File): Promise<TAttachment> {
  const form = new FormData();
  form.append('file', file, file.name);
  return api<TAttachment>('/attachments', { method: 'POST', form });
}

/** The message type a file is sent as. */
export function messageTypeFor(contentType: string): 'image' | 'video' | 'audio' | 'document' {
  if (contentType.startsWith('image/')) return 'image';
  if (contentType.startsWith('video/')) return 'video';
  if (contentType.startsWith('audio/')) return 'audio';
  return 'document';
}
