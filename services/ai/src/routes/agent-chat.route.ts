import { ZAgentChatRequest, type TAgentChatResponse } from '@orbitdesk/shared';
import type { FastifyInstance } from 'fastify';
import { runAgentTurn } from '../agent/agent-loop.js';
import { assertSameTenant } from '../auth/internal-auth.js';
import { parseBody } from '../http/http-error.js';
import type { LocalModels } from '../local/local-models.js';
import { createProvider } from '../providers/create-provider.js';

export function registerAgentChatRoute(app: FastifyInstance, localModels: LocalModels): void {
  app.post('/api/v1/agent/chat', async (request): Promise<TAgentChatResponse> => {
    const body = parseBody(ZAgentChatRequest, request.body);
    assertSameTenant(request, body.tenant.id);
    const provider = createProvider(body.provider, localModels);
    return runAgentTurn(body, { provider, log: request.log });
  });
}
