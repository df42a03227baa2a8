import {
  AI_HANDOFF_TOOL,
  type AiAgentTool,
  type TAgentChatResponse,
  type TAgentToolCallLog,
  type TAiToolResult,
  type TAiUsage,
} from '@orbitdesk/shared';
import type { FastifyBaseLogger } from 'fastify';
import { UNPARSED_ARGUMENTS_KEY } from '../providers/openai-compatible.provider.js';
import type {
  AiProviderClient,
  ProviderChatResult,
  ProviderMessage,
  ProviderToolCall,
} from '../providers/provider.js';
import { parseCitations } from '../rag/rag-context.js';
import { agentSystemPrompt, type AgentChatInput } from './agent-prompt.js';
import { AGENT_TOOL_ARGS, agentTools, ZHandoffArgs } from './agent-tools.js';
import { callTool } from './tool-callback.js';

export const HANDOFF_REPLY = "I'll connect you with a member of our team.";
export const FALLBACK_REPLY =
  "I'm sorry, I couldn't finish that just now. A member of our team will follow up shortly.";
/** What the model reads back from a tool; the rest is cut (a CRM record can be long). */
const MAX_TOOL_RESULT_CHARS = 20_000;

export interface AgentLoopDeps {
  provider: AiProviderClient;
  log: FastifyBaseLogger;
  signal?: AbortSignal;
}

function describeArgsError(issues: { path: PropertyKey[]; message: string }[]): string {
  return issues
    .map((i) => (i.path.length ? `${i.path.map(String).join('.')}: ${i.message}` : i.message))
    .join('; ');
}

/**
 * One agent turn: the model is called up to agent.maxIterations times; each call either answers (done) or asks
 * for tools, which run in order and whose results go back to the model. handoff_to_human ends the turn. A
 * provider that fails for good, or a model that never stops calling tools, ends in a polite fallback reply:
 * the customer always gets an answer and the conversation is never dropped.
 */
export async function runAgentTurn(input: AgentChatInput, deps: AgentLoopDeps): Promise<TAgentChatResponse> {
  const { provider, signal } = deps;
  const log = deps.log.child({
    tenantId: input.tenant.id,
    conversationId: input.conversation.id,
    agentId: input.agent.id,
  });
  const tools = agentTools(input.agent.mode, input.agent.tools);
  const offered = new Set(tools.map((t) => t.name));
  const system = agentSystemPrompt(input);
  const messages: ProviderMessage[] = [...input.history, { role: 'user', content: input.message }];
  const usage: TAiUsage = { inputTokens: 0, outputTokens: 0 };
  const toolCalls: TAgentToolCallLog[] = [];
  let iterations = 0;

  const done = (reply: string, extra: Partial<TAgentChatResponse> = {}): TAgentChatResponse => ({
    reply,
    fallbackUsed: false,
    fallbackReason: null,
    handoff: false,
    handoffReason: null,
    iterations,
    toolCalls,
    citations: [],
    usage,
    ...extra,
  });
  const fallback = (reason: 'max_iterations' | 'provider_error') =>
    done(FALLBACK_REPLY, { fallbackUsed: true, fallbackReason: reason });

  const runTool = async (call: ProviderToolCall): Promise<TAiToolResult> => {
    if (!offered.has(call.name)) {
      return { ok: false, result: null, error: `there is no tool named ${call.name}` };
    }
    if (UNPARSED_ARGUMENTS_KEY in call.arguments) {
      return { ok: false, result: null, error: 'the arguments were not a JSON object; call the tool again' };
    }
    const args = AGENT_TOOL_ARGS[call.name as AiAgentTool].safeParse(call.arguments);
    if (!args.success) {
      return { ok: false, result: null, error: `invalid arguments: ${describeArgsError(args.error.issues)}` };
    }
    if (!input.toolCallback) return { ok: false, result: null, error: 'tools are not available here' };
    return callTool(input.toolCallback, call.name, args.data, signal);
  };

  while (iterations < input.agent.maxIterations) {
    iterations++;
    let result: ProviderChatResult;
    try {
      result = await provider.chat({
        model: input.provider.model,
        system,
        messages,
        tools,
        knowledge: input.knowledge,
        signal,
      });
    } catch (err) {
      log.warn({ iteration: iterations, err: (err as Error).message }, 'agent provider call failed');
      return fallback('provider_error');
    }
    usage.inputTokens += result.usage.inputTokens;
    usage.outputTokens += result.usage.outputTokens;

    if (result.toolCalls.length === 0) {
      const reply = result.text.trim();
      // An empty answer is a provider failure as far as the customer is concerned.
      if (!reply) {
        log.warn({ iteration: iterations }, 'agent model answered with no text');
        return fallback('provider_error');
      }
      return done(reply, { citations: parseCitations(reply, input.knowledge) });
    }

    messages.push({ role: 'assistant', content: result.text, toolCalls: result.toolCalls });
    for (const call of result.toolCalls) {
      if (call.name === AI_HANDOFF_TOOL) {
        const parsed = ZHandoffArgs.safeParse(call.arguments);
        const reason = parsed.success ? parsed.data.reason : 'the assistant asked for a human';
        toolCalls.push({
          name: call.name,
          arguments: call.arguments,
          ok: true,
          result: { handoff: true, reason },
        });
        log.info({ tool: call.name, ok: true }, 'agent handed off to a human');
        const reply = result.text.trim() || HANDOFF_REPLY;
        return done(reply, {
          handoff: true,
          handoffReason: reason,
          citations: parseCitations(reply, input.knowledge),
        });
      }
      const started = Date.now();
      const outcome = await runTool(call);
      toolCalls.push({
        name: call.name,
        arguments: call.arguments,
        ok: outcome.ok,
        result: outcome.ok ? (outcome.result ?? null) : { error: outcome.error ?? 'the tool failed' },
      });
      // Arguments and results stay out of the log: they carry the customer's personal data.
      log.info(
        { tool: call.name, ok: outcome.ok, error: outcome.error, durationMs: Date.now() - started },
        'agent tool call',
      );
      const content = JSON.stringify(outcome);
      messages.push({
        role: 'tool',
        toolCallId: call.id,
        name: call.name,
        content:
          content.length > MAX_TOOL_RESULT_CHARS ? `${content.slice(0, MAX_TOOL_RESULT_CHARS)}…` : content,
      });
    }
  }
  log.warn({ iterations }, 'agent ran out of iterations');
  return fallback('max_iterations');
}
