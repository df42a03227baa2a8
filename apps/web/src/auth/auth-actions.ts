import type { QueryClient } from '@tanstack/react-query';
import type { TLoginRequest, TTokenResponse } from '@orbitdesk/shared';
import { publicApi } from '../api/client';
import { acceptTokens, signOutLocally } from '../api/session';
import { closeSocket } from '../realtime/socket';

export async function logIn(credentials: TLoginRequest): Promise<void> {
  acceptTokens(await publicApi<TTokenResponse>('/auth/login', credentials));
}

/** Ends the login on the server (revokes the refresh family, clears the cookie) and forgets every cached page. */
export async function logOut(queryClient: QueryClient): Promise<void> {
  closeSocket();
  try {
    await fetch('/api/v1/auth/logout', { method: 'POST', credentials: 'same-origin' });
  } finally {
    signOutLocally();
    queryClient.clear();
  }
}
