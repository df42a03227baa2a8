import { Inject, Injectable } from '@nestjs/common';
import { jwtVerify, SignJWT, errors as joseErrors } from 'jose';
import { randomUUID } from 'node:crypto';
import { ROLES, type Role } from '@orbitdesk/shared';
import { APP_CONFIG, type AppConfig } from '../../config/app-config.js';
import { unauthorized } from '../../common/http/errors.js';

export const ACCESS_TOKEN_TTL_SECONDS = 15 * 60;
export const REFRESH_TOKEN_TTL_SECONDS = 7 * 24 * 60 * 60;
const ISSUER = 'orbitdesk';

export interface AccessClaims {
  sub: string;
  role: Role;
  /** null for SUPERADMIN, who belongs to no tenant. */
  tenantId: string | null;
}

export interface RefreshClaims {
  sub: string;
  jti: string;
  fam: string;
  kind: 'user' | 'platform_admin';
}

@Injectable()
export class TokenService {
  private readonly accessKey: Uint8Array;
  private readonly refreshKey: Uint8Array;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.accessKey = new TextEncoder().encode(config.JWT_SECRET);
    this.refreshKey = new TextEncoder().encode(config.JWT_REFRESH_SECRET);
  }

  signAccess(claims: AccessClaims): Promise<string> {
    return new SignJWT({ role: claims.role, tid: claims.tenantId })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(claims.sub)
      .setIssuer(ISSUER)
      .setAudience('api')
      .setIssuedAt()
      .setExpirationTime(`${ACCESS_TOKEN_TTL_SECONDS}s`)
      .sign(this.accessKey);
  }

  async verifyAccess(token: string): Promise<AccessClaims> {
    try {
      const { payload } = await jwtVerify(token, this.accessKey, {
        issuer: ISSUER,
        audience: 'api',
        algorithms: ['HS256'],
      });
      const role = payload.role;
      const tid = payload.tid;
      if (
        typeof payload.sub !== 'string' ||
        !ROLES.includes(role as Role) ||
        (tid !== null && typeof tid !== 'string')
      ) {
        throw unauthorized('Access token is malformed');
      }
      return { sub: payload.sub, role: role as Role, tenantId: tid };
    } catch (err) {
      if (err instanceof joseErrors.JWTExpired) throw unauthorized('Access token expired');
      if (err instanceof joseErrors.JOSEError) throw unauthorized('Access token is invalid');
      throw err;
    }
  }

  async signRefresh(
    sub: string,
    kind: RefreshClaims['kind'],
    familyId: string,
  ): Promise<{ token: string; jti: string; expiresAt: Date }> {
    const jti = randomUUID();
    const token = await new SignJWT({ fam: familyId, kind })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(sub)
      .setJti(jti)
      .setIssuer(ISSUER)
      .setAudience('refresh')
      .setIssuedAt()
      .setExpirationTime(`${REFRESH_TOKEN_TTL_SECONDS}s`)
      .sign(this.refreshKey);
    return { token, jti, expiresAt: new Date(Date.now() + REFRESH_TOKEN_TTL_SECONDS * 1000) };
  }

  async verifyRefresh(token: string): Promise<RefreshClaims> {
    try {
      const { payload } = await jwtVerify(token, this.refreshKey, {
        issuer: ISSUER,
        audience: 'refresh',
        algorithms: ['HS256'],
      });
      const { sub, jti, fam, kind } = payload;
      if (
        typeof sub !== 'string' ||
        typeof jti !== 'string' ||
        typeof fam !== 'string' ||
        (kind !== 'user' && kind !== 'platform_admin')
      ) {
        throw unauthorized('Refresh token is malformed');
      }
      return { sub, jti, fam, kind };
    } catch (err) {
      if (err instanceof joseErrors.JWTExpired) throw unauthorized('Refresh token expired; log in again');
      if (err instanceof joseErrors.JOSEError) throw unauthorized('Refresh token is invalid; log in again');
      throw err;
    }
  }
}
