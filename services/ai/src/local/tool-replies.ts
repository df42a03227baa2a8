import { AI_HANDOFF_TOOL } from '@orbitdesk/shared';
import type { ProviderMessage, ProviderToolCall } from '../providers/provider.js';
import { formatAppointmentTime } from './appointment-time.js';

/*
 * The offline model's reply once its tools have run: one sentence per tool result, written from the call's
 * arguments and the API's answer, so the customer hears what was actually done (or that it could not be).
 */

interface ToolOutcome {
  call: ProviderToolCall | undefined;
  name: string;
  ok: boolean;
  result: unknown;
  error: string | undefined;
}

/** Tool messages are JSON {ok, result, error} (possibly cut short by the agent loop); anything else is a result. */
function readToolContent(content: string): { ok: boolean; result: unknown; error: string | undefined } {
  try {
    const parsed: unknown = JSON.parse(content);
    if (parsed && typeof parsed === 'object' && 'ok' in parsed && typeof parsed.ok === 'boolean') {
      const record = parsed as { ok: boolean; result?: unknown; error?: unknown };
      return {
        ok: record.ok,
        result: record.result ?? null,
        error: typeof record.error === 'string' ? record.error : undefined,
      };
    }
    return { ok: true, result: parsed, error: undefined };
  } catch {
    const ok = !/"ok"\s*:\s*false/.test(content);
    const error = /"error"\s*:\s*"([^"]{1,300})/.exec(content)?.[1];
    return { ok, result: null, error };
  }
}

/** The results of the tools called in the last assistant turn, in call order. */
export function trailingToolOutcomes(messages: readonly ProviderMessage[]): ToolOutcome[] {
  const results: Extract<ProviderMessage, { role: 'tool' }>[] = [];
  let i = messages.length - 1;
  for (; i >= 0; i--) {
    const message = messages[i];
    if (message?.role !== 'tool') break;
    results.unshift(message);
  }
  const assistant = messages[i];
  const calls = assistant?.role === 'assistant' ? (assistant.toolCalls ?? []) : [];
  return results.map((message) => ({
    call: calls.find((c) => c.id === message.toolCallId),
    name: message.name,
    ...readToolContent(message.content),
  }));
}

function humanize(key: string): string {
  return key
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .replace(/[_-]+/g, ' ')
    .toLowerCase();
}

function scalar(value: unknown): string | null {
  if (typeof value === 'string') return value.trim() || null;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return null;
}

const HIDDEN_KEY = /(?:^id$|Id$|^tenant|At$|^created|^updated|^deleted|token|secret|password)/i;
const MAX_FACTS = 12;

/** "name: Jane Doe; email: jane@acme.test; tags: vip, lead; company: Acme" from whatever record the API returned. */
export function describeRecord(value: unknown, facts: string[] = [], depth = 0): string[] {
  if (!value || typeof value !== 'object' || depth > 2) return facts;
  for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
    if (facts.length >= MAX_FACTS) break;
    if (HIDDEN_KEY.test(key) || item === null || item === undefined) continue;
    const text = scalar(item);
    if (text !== null) {
      facts.push(`${humanize(key)}: ${text}`);
    } else if (Array.isArray(item)) {
      const scalars = item.map(scalar).filter((s): s is string => s !== null);
      if (scalars.length) facts.push(`${humanize(key)}: ${scalars.join(', ')}`);
      else if (item.length) facts.push(`${humanize(key)}: ${item.length}`);
    } else {
      // Nested records (the contact inside {contact}, custom fields) read as if they were top-level.
      describeRecord(item, facts, depth + 1);
    }
  }
  return facts;
}

function field(value: unknown, ...path: string[]): unknown {
  let current = value;
  for (const key of path) {
    if (!current || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

function joinList(items: string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

function failure(what: string, error: string | undefined): string {
  const why = error?.trim().replace(/\s+/g, ' ').slice(0, 200);
  return `Sorry, I couldn't ${what}${why ? ` (${why.replace(/\.$/, '')})` : ''}.`;
}

function contactSentence(args: Record<string, unknown>): string {
  const changes: string[] = [];
  if (typeof args.email === 'string') changes.push(`your email to ${args.email}`);
  if (typeof args.name === 'string') changes.push(`your name to ${args.name}`);
  const custom = args.customFields;
  if (custom && typeof custom === 'object') {
    for (const [key, value] of Object.entries(custom as Record<string, unknown>)) {
      const text = scalar(value);
      if (text) changes.push(`your ${humanize(key)} to ${text}`);
    }
  }
  if (Array.isArray(args.tags) && args.tags.length) changes.push(`your tags to ${args.tags.join(', ')}`);
  return changes.length ? `Done: I've updated ${joinList(changes)}.` : "Done: I've updated your details.";
}

function conversationSentence(args: Record<string, unknown>): string {
  const changes: string[] = [];
  if (args.priority === 'urgent') changes.push('marked this conversation as urgent');
  else if (typeof args.priority === 'string')
    changes.push(`set this conversation's priority to ${args.priority}`);
  if (args.status === 'resolved') changes.push('marked this conversation as resolved');
  else if (args.status === 'open') changes.push('reopened this conversation');
  else if (args.status === 'pending') changes.push('set this conversation to pending');
  if (Array.isArray(args.addTags) && args.addTags.length)
    changes.push(`tagged it ${args.addTags.join(', ')}`);
  return changes.length ? `Done: I've ${joinList(changes)}.` : "Done: I've updated this conversation.";
}

function outcomeSentence(outcome: ToolOutcome): string {
  const args = outcome.call?.arguments ?? {};
  switch (outcome.name) {
    case 'update_contact':
      return outcome.ok ? contactSentence(args) : failure('update your details', outcome.error);
    case 'lookup_crm': {
      if (!outcome.ok) return failure('look up your details', outcome.error);
      const facts = describeRecord(outcome.result);
      return facts.length
        ? `Here is what we have on file: ${facts.join('; ')}.`
        : "We don't have any details on file for you yet.";
    }
    case 'book_appointment': {
      if (!outcome.ok)
        return `${failure('book that appointment', outcome.error)} Would another time suit you?`;
      const startsAt =
        scalar(field(outcome.result, 'startsAt')) ??
        scalar(field(outcome.result, 'appointment', 'startsAt')) ??
        scalar(args.startsAt);
      const date = startsAt ? new Date(startsAt) : null;
      const title = scalar(field(outcome.result, 'title')) ?? scalar(args.title);
      const what =
        title && title.toLowerCase() !== 'appointment' ? `Your ${title.toLowerCase()}` : 'Your appointment';
      const minutes = scalar(field(outcome.result, 'durationMinutes')) ?? scalar(args.durationMinutes);
      const length = minutes ? ` (${minutes} minutes)` : '';
      return date && !Number.isNaN(date.getTime())
        ? `${what} is booked for ${formatAppointmentTime(date)}${length}.`
        : `${what} is booked.`;
    }
    case 'update_conversation':
      return outcome.ok ? conversationSentence(args) : failure('update this conversation', outcome.error);
    case 'trigger_flow': {
      const name = scalar(args.flowName) ?? scalar(field(outcome.result, 'flowName'));
      const flow = name ? `the ${name} flow` : 'the flow';
      return outcome.ok ? `Done: I've started ${flow}.` : failure(`start ${flow}`, outcome.error);
    }
    case AI_HANDOFF_TOOL:
      return "I've passed this conversation to a member of our team; they'll reply here shortly.";
    default:
      return outcome.ok ? 'Done.' : failure('do that', outcome.error);
  }
}

/** The reply after the last round of tool calls. */
export function replyFromToolResults(messages: readonly ProviderMessage[]): string {
  const outcomes = trailingToolOutcomes(messages);
  const sentences = outcomes.map(outcomeSentence);
  const failed = outcomes.some((o) => !o.ok);
  sentences.push(
    failed ? 'Is there anything else I can try for you?' : 'Is there anything else I can help with?',
  );
  return sentences.join(' ');
}
