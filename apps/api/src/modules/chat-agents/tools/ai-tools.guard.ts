import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { AI_AGENT_TOOLS } from '@orbitdesk/shared';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { AI_TOOLS_AUDIENCE, verifyInternalToken } from '../../../common/ai/internal-jwt.js';
import { forbidden, unauthorized } from '../../../common/http/errors.js';
import { badWebhookIdentity } from '../../../common/rate-limit/rate-limit.hook.js';
import { RateLimiterService } from '../../../common/rate-limit/rate-limiter.service.js';
import { APP_CONFIG, type AppConfig } from '../../../config/app-config.js';
import type { AiToolClaims } from '../agent-turn.builder.js';

const ZClaims = z.object({
  tenantId: z.uuid(),
  agentId: z.uuid(),
  conversationId: z.uuid(),
  contactId: z.uuid(),
  tools: z.array(z.string()),
});

export type AiToolRequest = FastifyRequest & { aiTool?: AiToolClaims };

/**
 * The AI service calls tools back on behalf of one agent turn. The route is @Public to the user guard because the
 * caller holds no user or API-key credential; it holds the internal token the API minted for that turn instead
 * (HS256, INTERNAL_JWT_SECRET, audience orbitdesk-api-tools, five minutes). That token alone says which tenant,
 * agent, contact and conversation the call may touch and which tools it may run: nothing in the body can widen it.
 */
@Injectable()
export class AiToolsGuard implements CanActivate {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly limiter: RateLimiterService,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const req = ctx.switchToHttp().getRequest<AiToolRequest>();
    const [scheme, token] = (req.headers.authorization ?? '').split(' ');
    if (scheme !== 'Bearer' || !token) {
      await this.refuse(req);
      throw unauthorized('A tool call needs "Authorization: Bearer <tool token>"');
    }
    let claims: AiToolClaims;
    try {
      const verified = await verifyInternalToken(this.config.INTERNAL_JWT_SECRET, AI_TOOLS_AUDIENCE, token);
      claims = ZClaims.parse(verified);
    } catch {
      await this.refuse(req);
      throw unauthorized('The tool token is invalid or has expired');
    }
    const tool = (req.params as { tool?: string }).tool ?? '';
    if (!(AI_AGENT_TOOLS as readonly string[]).includes(tool) || !claims.tools.includes(tool)) {
      throw forbidden(`This agent is not allowed to use the tool "${tool}"`);
    }
    req.aiTool = claims;
    return true;
  }

  /** Addresses that keep presenting bad tokens are slowed down like failing webhook callers. */
  private async refuse(req: FastifyRequest): Promise<void> {
    await this.limiter.recordFailure(badWebhookIdentity(req.ip));
  }
}
