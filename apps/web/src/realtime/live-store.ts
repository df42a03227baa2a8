import { useSyncExternalStore } from 'react';

/**
 * Small state the socket feeds and no query owns: who is typing where, who is online, and the toasts of
 * personal notifications.
 */
export interface Toast {
  id: string;
  text: string;
  conversationId: string | null;
}

interface LiveState {
  /** conversationId → user ids typing there */
  typing: Record<string, string[]>;
  online: Record<string, boolean>;
  toasts: Toast[];
}

let state: LiveState = { typing: {}, online: {}, toasts: [] };
const listeners = new Set<() => void>();
const typingTimers = new Map<string, ReturnType<typeof setTimeout>>();

function update(next: Partial<LiveState>): void {
  state = { ...state, ...next };
  for (const l of listeners) l();
}

const subscribe = (l: () => void) => {
  listeners.add(l);
  return () => listeners.delete(l);
};

export function useLiveState<T>(select: (s: LiveState) => T): T {
  return useSyncExternalStore(subscribe, () => select(state));
}

// A typing signal that is never followed by "stopped" (closed tab) expires on its own.
const TYPING_TTL_MS = 6_000;

export function setTyping(conversationId: string, userId: string, isTyping: boolean): void {
  const timerKey = `${conversationId}:${userId}`;
  clearTimeout(typingTimers.get(timerKey));
  const others = (state.typing[conversationId] ?? []).filter((u) => u !== userId);
  update({ typing: { ...state.typing, [conversationId]: isTyping ? [...others, userId] : others } });
  if (isTyping)
    typingTimers.set(
      timerKey,
      setTimeout(() => setTyping(conversationId, userId, false), TYPING_TTL_MS),
    );
}

export function setPresence(userId: string, online: boolean): void {
  update({ online: { ...state.online, [userId]: online } });
}

export function pushToast(toast: Toast): void {
  update({ toasts: [...state.toasts.slice(-3), toast] });
  setTimeout(() => dismissToast(toast.id), 8_000);
}

export function dismissToast(id: string): void {
  update({ toasts: state.toasts.filter((t) => t.id !== id) });
}

const NO_TYPING: string[] = [];
export const typingIn = (conversationId: string) => (s: LiveState) => s.typing[conversationId] ?? NO_TYPING;
