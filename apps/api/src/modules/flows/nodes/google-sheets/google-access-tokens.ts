import { Injectable } from '@nestjs/common';
import { importPKCS8, SignJWT } from 'jose';
import { createHash } from 'node:crypto';
import { SafeHttpClient } from '../../../../common/http-client/safe-http-client.js';
import type { GoogleServiceAccountKey } from './sheets-credentials.provider.js';

export const SHEETS_SCOPE = 'https://www.googleapis.com/auth/spreadsheets';
const JWT_BEARER_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
const TOKEN_LIFETIME_SECONDS = 3600;
/** A token is renewed this long before Google would refuse it. */
const EXPIRY_MARGIN_MS = 60_000;
const MAX_CACHED_TOKENS = 500;
const TIMEOUT_MS = 15_000;

/** Google refused the key or could not be reached; the message is shown in the run's log. */
export class GoogleAuthError extends Error {}

/**
 * OAuth 2.0 for a service account (RFC 7523 JWT bearer grant): a JWT signed RS256 with the account's private
 * key, exchanged at its token_uri for an access token. The token_uri comes from a key file a tenant uploaded,
 * so the exchange goes through SafeHttpClient like any tenant-chosen URL. Tokens are reused until shortly
 * before they expire; the cache key includes the private key, so a replaced key never gets an old token.
 */
@Injectable()
export class GoogleAccessTokens {
  private readonly cache = new Map<string, { token: string; expiresAt: number }>();

  constructor(private readonly http: SafeHttpClient) {}

  async token(key: GoogleServiceAccountKey, scope = SHEETS_SCOPE): Promise<string> {
    const cacheKey = createHash('sha256')
      .update([key.client_email, key.token_uri, key.private_key, scope].join('\n'))
      .digest('hex');
    const cached = this.cache.get(cacheKey);
    if (cached && cached.expiresAt - EXPIRY_MARGIN_MS > Date.now()) return cached.token;

    const assertion = await this.assertion(key, scope);
    const body = new URLSearchParams({ grant_type: JWT_BEARER_GRANT, assertion }).toString();
    let res;
    try {
      res = await this.http.request(key.token_uri, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body,
        timeoutMs: TIMEOUT_MS,
        maxRedirects: 0,
      });
    } catch (err) {
      throw new GoogleAuthError(
        `could not reach the token endpoint ${key.token_uri}: ${(err as Error).message}`,
      );
    }
    const answer = parse(res.text());
    const token = typeof answer.access_token === 'string' ? answer.access_token : undefined;
    if (res.status !== 200 || !token) {
      const why = [answer.error, answer.error_description].filter((x) => typeof x === 'string').join(': ');
      throw new GoogleAuthError(
        `Google refused the service account (HTTP ${res.status}${why ? `, ${why}` : ''})`,
      );
    }
    const lifetime = typeof answer.expires_in === 'number' ? answer.expires_in : TOKEN_LIFETIME_SECONDS;
    if (this.cache.size >= MAX_CACHED_TOKENS) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(cacheKey, { token, expiresAt: Date.now() + lifetime * 1000 });
    return token;
  }

  private async assertion(key: GoogleServiceAccountKey, scope: string): Promise<string> {
    let privateKey: Awaited<ReturnType<typeof importPKCS8>>;
    try {
      privateKey = await importPKCS8(key.private_key, 'RS256');
    } catch {
      throw new GoogleAuthError('the service account private_key is not a valid PKCS#8 RSA key');
    }
    return new SignJWT({ scope })
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT' })
      .setIssuer(key.client_email)
      .setAudience(key.token_uri)
      .setIssuedAt()
      .setExpirationTime(`${TOKEN_LIFETIME_SECONDS}s`)
      .sign(privateKey);
  }
}

function parse(text: string): Record<string, unknown> {
  try {
    const value = JSON.parse(text) as unknown;
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
