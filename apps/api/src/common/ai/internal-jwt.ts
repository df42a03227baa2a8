import { jwtVerify, SignJWT, type JWTPayload } from 'jose';

/**
 * Internal tokens between the API (and worker) and the AI service: HS256 with INTERNAL_JWT_SECRET, short-lived,
 * and bound to an audience so a token minted for one direction cannot be replayed in the other.
 */
export const INTERNAL_ISSUER = 'orbitdesk-api';
/** API → AI service calls. */
export const AI_SERVICE_AUDIENCE = 'orbitdesk-ai';
/** AI service → API tool callbacks (one agent turn, one tenant, one conversation). */
export const AI_TOOLS_AUDIENCE = 'orbitdesk-api-tools';

const key = (secret: string) => new TextEncoder().encode(secret);

export function signInternalToken(
  secret: string,
  audience: string,
  claims: JWTPayload & { tenantId: string },
  ttlSeconds: number,
): Promise<string> {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuer(INTERNAL_ISSUER)
    .setAudience(audience)
    .setSubject(claims.tenantId)
    .setIssuedAt()
    .setExpirationTime(`${ttlSeconds}s`)
    .sign(key(secret));
}

/** Throws on a bad signature, another audience, an expired token, or an algorithm other than HS256. */
export async function verifyInternalToken<T extends JWTPayload>(
  secret: string,
  audience: string,
  token: string,
): Promise<T & { tenantId: string }> {
  const { payload } = await jwtVerify(token, key(secret), {
    algorithms: ['HS256'],
    issuer: INTERNAL_ISSUER,
    audience,
  });
  if (typeof payload.tenantId !== 'string') throw new Error('internal token without tenantId');
  return payload as T & { tenantId: string };
}
