export const API_KEY_SCOPES = [
  'contacts:read',
  'contacts:write',
  'conversations:read',
  'messages:read',
  'messages:send',
  'flows:read',
  'flows:trigger',
  'templates:read',
] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

/** Raw API keys start with this prefix so leaked keys are recognisable by secret scanners. */
export const API_KEY_PREFIX = 'wcrm_';
export const MAX_ACTIVE_API_KEYS = 20;
