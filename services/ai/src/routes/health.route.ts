import { AI_PROVIDERS } from '@orbitdesk/shared';
import type { FastifyInstance } from 'fastify';

export function registerHealthRoute(app: FastifyInstance): void {
  app.get('/health', { config: { public: true } }, () => ({ status: 'ok', providers: [...AI_PROVIDERS] }));
}
