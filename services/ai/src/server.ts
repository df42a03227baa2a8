import Fastify, { type FastifyInstance } from 'fastify';
import { registerInternalAuth } from './auth/internal-auth.js';
import { registerErrorHandling } from './http/http-error.js';
import type { LocalModels } from './local/local-models.js';
import { registerAgentChatRoute } from './routes/agent-chat.route.js';
import { registerCompletionRoutes } from './routes/completion.routes.js';
import { registerHealthRoute } from './routes/health.route.js';

export interface AiServerOptions {
  /** Shared with the API (INTERNAL_JWT_SECRET): verifies every call's token. */
  internalJwtSecret: string;
  /** pino level; 'silent' in tests. */
  logLevel?: string;
  /** The offline models; loaded from src/local when not given. */
  localModels?: LocalModels;
}

/** Bodies carry at most a conversation, 50 knowledge chunks and their history: 2 MB is plenty. */
const BODY_LIMIT_BYTES = 2 * 1024 * 1024;

/** The AI service, routes registered and ready, not listening: the caller listens. */
export async function buildAiServer(options: AiServerOptions): Promise<FastifyInstance> {
  const localModels = options.localModels ?? (await import('./local/index.js')).loadLocalModels();
  const app = Fastify({
    logger: {
      level: options.logLevel ?? 'info',
      redact: ['req.headers.authorization'],
    },
    bodyLimit: BODY_LIMIT_BYTES,
  });
  registerErrorHandling(app);
  registerInternalAuth(app, options.internalJwtSecret);
  registerHealthRoute(app);
  registerCompletionRoutes(app, localModels);
  registerAgentChatRoute(app, localModels);
  await app.ready();
  return app;
}
