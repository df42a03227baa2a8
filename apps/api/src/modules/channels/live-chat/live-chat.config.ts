import { ZLiveChatChannelConfig } from '@orbitdesk/shared';
import { createHmac } from 'node:crypto';
import type { z } from 'zod';
import { safeEqual } from '../../../common/crypto/hash.js';

export type LiveChatConfig = z.output<typeof ZLiveChatChannelConfig>;

/** The stored config was validated when saved; parsing again only restores its types and defaults. */
export function liveChatConfig(raw: Record<string, unknown>): LiveChatConfig {
  return ZLiveChatChannelConfig.parse(raw);
}

/** `scheme://host[:port]` with default ports dropped, or undefined for anything that is not an http(s) origin. */
function normalizeOrigin(value: string): string | undefined {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.origin : undefined;
  } catch {
    return undefined;
  }
}

/**
 * An inbox with allowedOrigins answers only pages of those sites. Browsers always send Origin on the widget's
 * cross-site requests and WebSocket handshakes, so a missing or opaque (`null`) Origin is refused too. This stops
 * other sites from embedding the chat; it is not authentication (a non-browser client can send any Origin).
 */
export function originAllowed(config: LiveChatConfig, origin: string | undefined): boolean {
  if (config.allowedOrigins.length === 0) return true;
  const given = origin ? normalizeOrigin(origin) : undefined;
  return given !== undefined && config.allowedOrigins.some((allowed) => normalizeOrigin(allowed) === given);
}

/** What the host site's server computes for a signed-in user: hex HMAC-SHA256(identitySecret, identifier). */
export const identifierHash = (identitySecret: string, identifier: string): string =>
  createHmac('sha256', identitySecret).update(identifier, 'utf8').digest('hex');

/** Constant-time check of a host-provided identifierHash (hex, any case). */
export const identifierHashMatches = (identitySecret: string, identifier: string, hash: string): boolean =>
  safeEqual(identifierHash(identitySecret, identifier), hash.toLowerCase());
