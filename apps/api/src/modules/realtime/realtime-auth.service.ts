import { HttpException, Injectable } from '@nestjs/common';
import { decodeJwt } from 'jose';
import { AccessRevocationService } from '../auth/access-revocation.service.js';
import { TokenService } from '../auth/token.service.js';
import type { SocketIdentity } from './realtime.events.js';

/** A handshake refusal; its message reaches the client as the `connect_error` message. */
export class HandshakeError extends Error {}

@Injectable()
export class RealtimeAuthService {
  constructor(
    private readonly tokens: TokenService,
    private readonly revocation: AccessRevocationService,
  ) {}

  /** The same checks AuthGuard applies to a Bearer token, plus: only tenant users get a socket. */
  async authenticate(token: unknown): Promise<SocketIdentity> {
    if (typeof token !== 'string' || !token) {
      throw new HandshakeError('Authentication required: pass the access token as auth.token');
    }
    let claims;
    try {
      claims = await this.tokens.verifyAccess(token);
    } catch (err) {
      if (err instanceof HttpException) throw new HandshakeError(err.message);
      throw err;
    }
    // SUPERADMINs belong to no tenant, so no room could be theirs.
    if (claims.role === 'SUPERADMIN' || !claims.tenantId) {
      throw new HandshakeError('Platform administrators cannot connect to a workspace inbox');
    }
    if (await this.isBlocked(claims.sub, claims.tenantId)) {
      throw new HandshakeError('This account or its workspace is no longer active');
    }
    const exp = decodeJwt(token).exp;
    if (typeof exp !== 'number') throw new HandshakeError('Access token is malformed');
    return { userId: claims.sub, tenantId: claims.tenantId, role: claims.role, expiresAt: exp * 1000 };
  }

  isBlocked(userId: string, tenantId: string): Promise<boolean> {
    return this.revocation.isBlocked(userId, tenantId);
  }
}
