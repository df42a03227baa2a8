/** Every API route lives under /api/v1 (Nest's global prefix; direct Fastify routes add it themselves). */
export const API_PREFIX = 'api/v1';
