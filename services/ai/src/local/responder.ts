import { AI_HANDOFF_TOOL, type MessageIntent } from '@orbitdesk/shared';
import type { ProviderChatRequest, ProviderChatResult, ProviderToolCall } from '../providers/provider.js';
import { NOT_FOUND_ANSWER, extractiveAnswer, questionTerms } from './extractive-answer.js';
import type { LocalUnderstanding } from './local-models.js';
import { estimateTokens } from './text.js';
import { planToolCalls } from './tool-planner.js';
import { replyFromToolResults } from './tool-replies.js';

/*
 * The offline chat model. In order: after tool results it reports what the tools did; on a customer message it
 * plans tool calls when tools are offered and the message asks for one; with knowledge it answers by quoting it;
 * otherwise it gives a short reply suited to the message's intent. Deterministic: the same request always gets
 * the same answer (given the same clock, which only relative dates like "tomorrow" read).
 */

export interface ResponderDeps {
  classify(text: string): LocalUnderstanding;
  now(): Date;
}

export const HANDOFF_TEXT = "I'll connect you with a member of our team; they'll reply here shortly.";
export const ASK_BOOKING_TIME =
  'I can book that for you. Which day and time would suit you? (For example: "tomorrow at 3pm" or "Dec 3 at 9am".)';

const INTENT_REPLIES: Record<MessageIntent, string> = {
  greeting: 'Hi! Thanks for getting in touch. How can I help you today?',
  question:
    "Thanks for your question. I don't have that information to hand, so I've noted it and a member of our team " +
    'will get back to you shortly.',
  complaint:
    "I'm really sorry about this, that's not the experience we want you to have. I've noted the details and a " +
    'member of our team will look into it and get back to you as soon as possible.',
  purchase:
    'Great, thanks for your interest! Could you confirm the product, the quantity and any options you need, and ' +
    "we'll get your order ready.",
  support:
    "Sorry you're running into this. Could you tell me a bit more: what you were doing, any error message you " +
    'saw, and your order or account number? Then we can sort it out.',
  billing:
    'I can help with billing. Please share the invoice or order number and the date of the charge, and we will ' +
    'check it for you.',
  feedback: 'Thank you for the feedback, we really appreciate it. I have passed it on to the team.',
  spam: "Thanks for your message. We aren't able to help with this request.",
  other: 'Thanks for your message. How can I help you today?',
};

export function intentReply(understanding: LocalUnderstanding): string {
  return INTENT_REPLIES[understanding.intent];
}

function lastUserText(request: ProviderChatRequest): string {
  for (let i = request.messages.length - 1; i >= 0; i--) {
    const message = request.messages[i];
    if (message?.role === 'user') return message.content;
  }
  return '';
}

function priorCallCount(request: ProviderChatRequest): number {
  return request.messages.reduce((n, m) => n + (m.role === 'assistant' ? (m.toolCalls?.length ?? 0) : 0), 0);
}

function inputTokens(request: ProviderChatRequest): number {
  let tokens = estimateTokens(request.system ?? '');
  for (const message of request.messages) tokens += estimateTokens(message.content);
  for (const chunk of request.knowledge ?? []) tokens += estimateTokens(chunk.text);
  for (const tool of request.tools ?? []) tokens += estimateTokens(`${tool.name} ${tool.description}`);
  return tokens;
}

/** Cuts the reply to about `maxTokens`, as a remote model stops at its limit. */
function limit(text: string, maxTokens: number | undefined): { text: string; cut: boolean } {
  if (!maxTokens || estimateTokens(text) <= maxTokens) return { text, cut: false };
  const words = text.split(/\s+/).filter(Boolean);
  return { text: words.slice(0, Math.max(1, Math.floor(maxTokens / 1.3))).join(' '), cut: true };
}

export function respond(request: ProviderChatRequest, deps: ResponderDeps): ProviderChatResult {
  const last = request.messages[request.messages.length - 1];
  let text: string;
  let toolCalls: ProviderToolCall[] = [];

  if (last?.role === 'tool') {
    text = replyFromToolResults(request.messages);
  } else {
    const message = lastUserText(request);
    const offered = new Set((request.tools ?? []).map((t) => t.name));
    const plan =
      last?.role === 'user' && offered.size > 0
        ? planToolCalls(message, offered, deps.now())
        : { calls: [], bookingNeedsTime: false };
    if (plan.calls.length > 0) {
      const first = priorCallCount(request) + 1;
      toolCalls = plan.calls.map((call, i) => ({ id: `local_call_${first + i}`, ...call }));
      // The agent loop ends the turn at a handoff and sends this text as the reply.
      text = toolCalls.some((c) => c.name === AI_HANDOFF_TOOL) ? HANDOFF_TEXT : '';
    } else if (plan.bookingNeedsTime) {
      text = ASK_BOOKING_TIME;
    } else if (request.knowledge?.length && questionTerms(message).length > 0) {
      const understanding = deps.classify(message);
      const answer = extractiveAnswer(message, request.knowledge);
      // A greeting or a thank-you next to knowledge still deserves a greeting, not "not found".
      text =
        answer.answered || !['greeting', 'feedback', 'spam'].includes(understanding.intent)
          ? answer.text
          : intentReply(understanding);
    } else if (request.knowledge?.length && !message.trim()) {
      text = NOT_FOUND_ANSWER;
    } else {
      text = intentReply(deps.classify(message));
    }
  }

  const limited = toolCalls.length ? { text, cut: false } : limit(text, request.maxTokens);
  return {
    text: limited.text,
    toolCalls,
    stopReason: toolCalls.length ? 'tool_calls' : limited.cut ? 'length' : 'end',
    usage: {
      inputTokens: inputTokens(request),
      outputTokens:
        estimateTokens(limited.text) + estimateTokens(toolCalls.map((c) => JSON.stringify(c)).join(' ')),
    },
  };
}
