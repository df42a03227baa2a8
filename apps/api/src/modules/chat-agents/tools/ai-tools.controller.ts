import { Body, Controller, Param, Post, Req, UseGuards } from '@nestjs/common';
import { AI_AGENT_TOOLS, ZAiToolResult, type AiAgentTool, type TAiToolResult } from '@orbitdesk/shared';
import { z } from 'zod';
import { Public } from '../../../common/auth/access.decorators.js';
import { Contract } from '../../../common/http/contract.js';
import { ProviderWebhook } from '../../../common/rate-limit/rate-limit.hook.js';
import { requestContext } from '../../../common/tenancy/request-context.js';
import { AiToolsGuard, type AiToolRequest } from './ai-tools.guard.js';
import { AiToolsService } from './ai-tools.service.js';

const ZAiToolParams = z.strictObject({ tool: z.enum(AI_AGENT_TOOLS) });
/** Each tool checks its own arguments (packages/shared Z*Args) and answers a mismatch with `ok: false`. */
const ZAiToolArgs = z.record(z.string(), z.unknown());

/**
 * Tool callbacks of the AI service (one agent turn). @Public only to the user guard: AiToolsGuard verifies the
 * turn's internal token and the tool it grants. Every tool answer is 200 with `{ok, result, error?}` (arguments
 * that do not fit the tool included), so the model gets the reason; 401/403 are for the caller, not the model.
 */
@Controller('internal/ai-tools')
@Public()
@UseGuards(AiToolsGuard)
export class AiToolsController {
  constructor(private readonly tools: AiToolsService) {}

  @Post(':tool')
  @ProviderWebhook()
  @Contract({
    summary: 'Run one AI agent tool (called by the AI service with the turn token)',
    tags: ['AI'],
    params: ZAiToolParams,
    body: ZAiToolArgs,
    response: ZAiToolResult,
    status: 200,
    errors: {
      401: 'The tool token is missing, invalid or expired',
      403: 'The token does not grant this tool',
    },
  })
  async run(
    @Param() { tool }: { tool: AiAgentTool },
    @Body() args: Record<string, unknown>,
    @Req() req: AiToolRequest,
  ): Promise<TAiToolResult> {
    const claims = req.aiTool!;
    const started = Date.now();
    const result = await requestContext.run(
      { tenantId: claims.tenantId, requestId: String(req.id), ip: req.ip ?? null },
      () => this.tools.run(tool, claims, args),
    );
    req.log.info(
      {
        tool,
        tenantId: claims.tenantId,
        agentId: claims.agentId,
        conversationId: claims.conversationId,
        ok: result.ok,
        error: result.error,
        ms: Date.now() - started,
      },
      'ai tool call',
    );
    return result;
  }
}
