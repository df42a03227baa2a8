import type { TMeResponse, TTokenResponse } from '@orbitdesk/shared';

/**
 * The signed-in session, held in memory only: the access token never touches storage (an XSS could read it
 * there). After a reload the refresh cookie (httpOnly, scoped to /api/v1/auth) brings the session back.
 */
export type SessionState =
  | { status: 'loading' }
  | { status: 'signedOut'; reason?: string }
  | { status: 'signedIn'; user: TMeResponse; accessToken: string; expiresAt: number };

let state: SessionState = { status: 'loading' };
const listeners = new Set<() => void>();
let refreshTimer: ReturnType<typeof setTimeout> | undefined;
let inFlight: Promise<string | null> | null = null;

export const getSession = (): SessionState => state;

export function subscribeSession(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

function setState(next: SessionState): void {
  state = next;
  for (const listener of listeners) listener();
}

export function getAccessToken(): string | null {
  return state.status === 'signedIn' ? state.accessToken : null;
}

/** Stores a fresh token and schedules the next silent refresh a minute before it expires. */
export function acceptTokens(tokens: TTokenResponse): void {
  const expiresAt = Date.now() + tokens.expiresIn * 1000;
  setState({ status: 'signedIn', user: tokens.user, accessToken: tokens.accessToken, expiresAt });
  clearTimeout(refreshTimer);
  const lead = Math.min(60, tokens.expiresIn / 4) * 1000;
  refreshTimer = setTimeout(() => void refreshSession(), Math.max(1000, expiresAt - Date.now() - lead));
}

export function signOutLocally(reason?: string): void {
  clearTimeout(refreshTimer);
  setState({ status: 'signedOut', reason });
}

async function postRefresh(): Promise<string | null> {
  const res = await fetch('/api/v1/auth/refresh', { method: 'POST', credentials: 'same-origin' });
  if (!res.ok) {
    const wasSignedIn = state.status === 'signedIn';
    const body = (await res.json().catch(() => null)) as { message?: string } | null;
    signOutLocally(wasSignedIn ? (body?.message ?? 'Your session ended; please log in again') : undefined);
    return null;
  }
  const tokens = (await res.json()) as TTokenResponse;
  acceptTokens(tokens);
  return tokens.accessToken;
}

/**
 * One refresh at a time. The API treats a second use of a refresh token as theft and ends the session, so
 * every caller (concurrent 401s, the timer, the socket) shares the request in flight, and tabs take turns
 * through a Web Lock: the tab that waits sends the cookie the other one just rotated.
 */
export function refreshSession(): Promise<string | null> {
  inFlight ??= (async () => {
    try {
      if (typeof navigator !== 'undefined' && navigator.locks) {
        return await navigator.locks.request('orbitdesk-refresh', postRefresh);
      }
      return await postRefresh();
    } catch {
      // A network failure keeps whatever state we had: the next request tries again.
      if (state.status === 'loading') signOutLocally();
      return getAccessToken();
    } finally {
      inFlight = null;
    }
  })();
  return inFlight;
}

/** Waits for a refresh already in flight, so requests made meanwhile use the new token. */
export const pendingRefresh = (): Promise<string | null> | null => inFlight;
