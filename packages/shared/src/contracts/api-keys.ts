import { z } from 'zod';
import { API_KEY_SCOPES } from '../constants/scopes.js';
import { ZIsoDate } from './common.js';

export const ZApiKey = z.object({
  id: z.uuid(),
  name: z.string(),
  /** First characters of the key, enough to tell keys apart; never the whole key. */
  prefix: z.string(),
  scopes: z.array(z.enum(API_KEY_SCOPES)),
  expiresAt: ZIsoDate.nullable(),
  revokedAt: ZIsoDate.nullable(),
  lastUsedAt: ZIsoDate.nullable(),
  createdAt: ZIsoDate,
});
export type TApiKey = z.infer<typeof ZApiKey>;

/** What an API key may learn about itself (GET /api-keys/self): enough to check its scopes and expiry. */
export const ZApiKeySelf = ZApiKey.pick({
  id: true,
  name: true,
  prefix: true,
  scopes: true,
  expiresAt: true,
  lastUsedAt: true,
});
export type TApiKeySelf = z.infer<typeof ZApiKeySelf>;

const ZScopes = z
  .array(z.enum(API_KEY_SCOPES))
  .min(1)
  .refine((s) => new Set(s).size === s.length, 'scopes must not repeat');

export const ZCreateApiKeyRequest = z.strictObject({
  name: z.string().trim().min(1).max(100),
  scopes: ZScopes,
  expiresAt: ZIsoDate.optional().refine(
    (d) => d === undefined || Date.parse(d) > Date.now(),
    'must be in the future',
  ),
});
export type TCreateApiKeyRequest = z.infer<typeof ZCreateApiKeyRequest>;

/** The raw key is returned here once and can never be read again. */
export const ZCreateApiKeyResponse = ZApiKey.extend({ key: z.string() });
export type TCreateApiKeyResponse = z.infer<typeof ZCreateApiKeyResponse>;

export const ZUpdateApiKeyRequest = z
  .strictObject({ name: z.string().trim().min(1).max(100).optional(), scopes: ZScopes.optional() })
  .refine((v) => Object.keys(v).length > 0, 'at least one field is required');
export type TUpdateApiKeyRequest = z.infer<typeof ZUpdateApiKeyRequest>;

export const ZApiKeyList = z.object({ items: z.array(ZApiKey) });
