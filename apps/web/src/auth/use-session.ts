import { useSyncExternalStore } from 'react';
import { getSession, subscribeSession, type SessionState } from '../api/session';

export function useSession(): SessionState {
  return useSyncExternalStore(subscribeSession, getSession);
}

/** The signed-in user; only for components rendered behind RequireAuth. */
export function useCurrentUser() {
  const session = useSession();
  if (session.status !== 'signedIn') throw new Error('useCurrentUser outside a signed-in page');
  return session.user;
}
