import type { FastifyInstance, FastifyRequest } from 'fastify';
import { errors as joseErrors, jwtVerify } from 'jose';
import { HttpError } from '../http/http-error.js';

/** Who signs our tokens and for whom (apps/api/src/common/ai/internal-jwt.ts mints them). */
export const INTERNAL_ISSUER = 'orbitdesk-api';
export const AI_SERVICE_AUDIENCE = 'orbitdesk-ai';
/** The API's tokens live two minutes; a longer-lived one was not minted by it and is refused. */
export const MAX_TOKEN_LIFETIME_SECONDS = 120;
/** Hosts' clocks drift a little; a few seconds either way do not make a token invalid. */
const CLOCK_TOLERANCE_SECONDS = 5;

declare module 'fastify' {
  interface FastifyRequest {
    /** The tenant named by the verified internal token; every non-public route has one. */
    tenantId: string;
  }
  interface FastifyContextConfig {
    /** Reachable without an internal token (health only). */
    public?: boolean;
  }
}

function reason(err: unknown): string {
  if (err instanceof joseErrors.JWTExpired) return 'token expired';
  if (err instanceof joseErrors.JWTClaimValidationFailed) return `token ${err.claim} claim is invalid`;
  if (err instanceof joseErrors.JOSEAlgNotAllowed) return 'token algorithm not allowed';
  if (err instanceof joseErrors.JWSSignatureVerificationFailed) return 'token signature is invalid';
  if (err instanceof HttpError) return err.message;
  return 'token is malformed';
}

export async function verifyInternalToken(secret: Uint8Array, token: string): Promise<string> {
  const { payload } = await jwtVerify(token, secret, {
    algorithms: ['HS256'],
    issuer: INTERNAL_ISSUER,
    audience: AI_SERVICE_AUDIENCE,
    requiredClaims: ['exp', 'iat'],
    clockTolerance: CLOCK_TOLERANCE_SECONDS,
  });
  // jose checks that exp has not passed; a token minted to live for hours would still pass that check.
  if (payload.exp! - payload.iat! > MAX_TOKEN_LIFETIME_SECONDS) {
    throw new HttpError(401, `token lifetime exceeds ${MAX_TOKEN_LIFETIME_SECONDS} s`);
  }
  if (typeof payload.tenantId !== 'string' || payload.tenantId.length === 0) {
    throw new HttpError(401, 'token has no tenantId');
  }
  return payload.tenantId;
}

/**
 * Every route is guarded unless its config says `public`: the API is the only caller, and the token says which
 * tenant the call is for. Unknown routes are guarded too, so an unauthenticated caller learns nothing.
 */
export function registerInternalAuth(app: FastifyInstance, internalJwtSecret: string): void {
  const secret = new TextEncoder().encode(internalJwtSecret);
  app.decorateRequest('tenantId', '');
  app.addHook('onRequest', async (request: FastifyRequest) => {
    if (request.routeOptions.config.public === true) return;
    const header = request.headers.authorization;
    const match = header ? /^Bearer ([^\s]+)$/i.exec(header) : null;
    if (!match?.[1]) throw new HttpError(401, 'missing bearer token');
    try {
      request.tenantId = await verifyInternalToken(secret, match[1]);
    } catch (err) {
      throw new HttpError(401, `invalid token: ${reason(err)}`);
    }
  });
}

/** A body that names a tenant must name the token's: a token for one tenant cannot act for another. */
export function assertSameTenant(request: FastifyRequest, bodyTenantId: string): void {
  if (bodyTenantId !== request.tenantId) {
    throw new HttpError(401, 'the token was issued for another tenant');
  }
}
