import { Inject, Injectable } from '@nestjs/common';
import { errors as joseErrors, jwtVerify, SignJWT } from 'jose';
import { hkdfSync } from 'node:crypto';
import { z } from 'zod';
import { APP_CONFIG, type AppConfig } from '../../../config/app-config.js';

/** Who a visitor token speaks for: one visitor of one inbox of one tenant. */
export interface VisitorClaims {
  tenantId: string;
  inboxId: string;
  visitorId: string;
  /** From the pre-chat form or the host site; carried from session to session. */
  name?: string;
  email?: string;
  /** The host site vouched for the visitor's identifier (identifierHash). */
  verified: boolean;
}

const ISSUER = 'orbitdesk';
const AUDIENCE = 'live-chat-visitor';

const ZPayload = z.object({
  sub: z.string().min(1),
  tid: z.uuid(),
  iid: z.uuid(),
  name: z.string().optional(),
  email: z.string().optional(),
  vfd: z.boolean(),
  exp: z.number(),
});

/**
 * Signed visitor sessions (HS256 JWT). The key is derived from ENCRYPTION_KEY with HKDF (info
 * "live-chat-visitor-token"), so it is never the key that seals stored secrets nor the one that signs agents'
 * access tokens, and a token of one kind can never pass for the other. Rotating ENCRYPTION_KEY ends every visitor
 * session: the widget then starts a new one.
 */
@Injectable()
export class VisitorTokenService {
  private readonly key: Uint8Array;
  readonly ttlSeconds: number;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    const master = Buffer.from(config.ENCRYPTION_KEY, 'base64');
    this.key = new Uint8Array(hkdfSync('sha256', master, Buffer.alloc(0), 'live-chat-visitor-token', 32));
    this.ttlSeconds = config.WIDGET_SESSION_TTL_SECONDS;
  }

  async sign(claims: VisitorClaims, now = Date.now()): Promise<{ token: string; expiresAt: Date }> {
    const exp = Math.floor(now / 1000) + this.ttlSeconds;
    const token = await new SignJWT({
      tid: claims.tenantId,
      iid: claims.inboxId,
      vfd: claims.verified,
      ...(claims.name ? { name: claims.name } : {}),
      ...(claims.email ? { email: claims.email } : {}),
    })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(claims.visitorId)
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt(Math.floor(now / 1000))
      .setExpirationTime(exp)
      .sign(this.key);
    return { token, expiresAt: new Date(exp * 1000) };
  }

  /** The claims of a genuine, unexpired token; null for anything else (forged, expired, malformed). */
  async verify(token: string): Promise<(VisitorClaims & { expiresAt: number }) | null> {
    try {
      const { payload } = await jwtVerify(token, this.key, {
        issuer: ISSUER,
        audience: AUDIENCE,
        algorithms: ['HS256'],
      });
      const p = ZPayload.safeParse(payload);
      if (!p.success) return null;
      return {
        tenantId: p.data.tid,
        inboxId: p.data.iid,
        visitorId: p.data.sub,
        name: p.data.name,
        email: p.data.email,
        verified: p.data.vfd,
        expiresAt: p.data.exp * 1000,
      };
    } catch (err) {
      if (err instanceof joseErrors.JOSEError) return null;
      throw err;
    }
  }
}
