import { useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import type { TNotification } from '@orbitdesk/shared';
import { upsertConversation, upsertMessage } from '../inbox/live-cache';
import { keys } from '../inbox/queries';
import { pushToast, setPresence, setTyping } from './live-store';
import { closeSocket, onReconnect, openSocket } from './socket';

function describeNotification(n: TNotification): string {
  const number = typeof n.payload.conversationNumber === 'number' ? ` #${n.payload.conversationNumber}` : '';
  switch (n.type) {
    case 'mention':
      return `You were mentioned in conversation${number}`;
    case 'assignment':
      return `Conversation${number} was assigned to you`;
  }
}

/** Keeps the TanStack Query caches current from the /chat socket while the user is signed in. */
export function useLiveUpdates(meId: string): void {
  const queryClient = useQueryClient();

  useEffect(() => {
    const socket = openSocket();
    setPresence(meId, true);
    socket.on('new_message', ({ message, conversation }) => {
      upsertMessage(queryClient, message);
      upsertConversation(queryClient, conversation, meId);
    });
    socket.on('message_status', ({ message }) => upsertMessage(queryClient, message));
    socket.on('message_updated', ({ message }) => upsertMessage(queryClient, message));
    socket.on('conversation_updated', ({ conversation }) =>
      upsertConversation(queryClient, conversation, meId),
    );
    socket.on('typing', ({ conversationId, userId, isTyping }) =>
      setTyping(conversationId, userId, isTyping),
    );
    socket.on('presence', ({ userId, status }) => setPresence(userId, status === 'online'));
    socket.on('notification', (n) =>
      pushToast({ id: n.id, text: describeNotification(n), conversationId: n.conversationId }),
    );
    // Events sent while disconnected are lost: refetch what is on screen.
    const offReconnect = onReconnect(() => {
      void queryClient.invalidateQueries({ queryKey: keys.conversationLists });
      void queryClient.invalidateQueries({ queryKey: ['messages'] });
      void queryClient.invalidateQueries({ queryKey: ['conversation'] });
    });
    return () => {
      offReconnect();
      closeSocket();
    };
  }, [queryClient, meId]);
}
