import {
  AI_HANDOFF_TOOL,
  ZBookAppointmentArgs,
  ZTriggerFlowArgs,
  ZUpdateContactArgs,
  ZUpdateConversationArgs,
} from '@orbitdesk/shared';
import type { z } from 'zod';
import { parseAppointmentTime, parseDurationMinutes, toIsoUtc } from './appointment-time.js';

/*
 * The offline model's tool planning: patterns over the customer's message that pick tools and fill their
 * arguments, only among the tools the request offers. It understands the plain ways of asking (see
 * docs/ai-local-models.md for the list) and nothing subtler; a remote model is the answer for that.
 */

export interface PlannedCall {
  name: string;
  arguments: Record<string, unknown>;
}

export interface ToolPlan {
  calls: PlannedCall[];
  /** The customer wants an appointment but named no time: the reply should ask for one. */
  bookingNeedsTime: boolean;
}

const HANDOFF_PATTERNS = [
  /\b(?:talk|speak|chat)\s+(?:to|with)\s+(?:a|an|the|some|your|one of your)?\s*(?:real\s+|live\s+|actual\s+)?(?:human|person|people|agent|representative|rep|operator|manager|supervisor|someone|somebody|staff|advisor|adviser)\b/i,
  // "I want a real person", but not "are you a real person?".
  /\b(?:want|need|get|give me|with|to)\s+(?:a\s+|an\s+|some\s+)?(?:real|live|actual)\s+(?:human|person|agent)\b/i,
  /\b(?:human|person|agent)\s+(?:please|pls)\b/i,
  /\b(?:transfer|connect|put)\s+me\s+(?:through\s+)?(?:to|with)\b/i,
  /\b(?:want|need|get)\s+(?:a|an)\s+(?:human|agent|person|representative|operator)\b/i,
  /\bescalate\b/i,
  /\bhablar con (?:una persona|un agente|un humano|alguien)\b/i,
  /\bparler (?:à|a) (?:un|une) (?:humain|conseill[eè]re?|agent|personne)\b/i,
  /\bmit einem (?:menschen|mitarbeiter|berater)\b/i,
  /\bfalar com (?:um|uma) (?:atendente|pessoa|humano)\b/i,
];

const EMAIL_RE = /(?<![\w.%+-])[\w.%+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63}){0,8}\.[a-z]{2,24}\b/i;
const NAME_WORD = "[\\p{L}][\\p{L}'’-]*";
/** Words that end a name the customer gave ("my name is Jane Doe and ..."). */
const NAME_STOP = new Set(
  'a an and but please pls thanks thank from at with not by or so the my i im is was for to in on here now today tomorrow'.split(
    ' ',
  ),
);

function captureName(text: string, lead: RegExp, maxWords: number): string | null {
  const match = new RegExp(`${lead.source}\\s+((?:${NAME_WORD}\\s*){1,${maxWords}})`, 'iu').exec(text);
  if (!match?.[1]) return null;
  const words: string[] = [];
  for (const word of match[1].trim().split(/\s+/)) {
    if (NAME_STOP.has(word.toLowerCase())) break;
    words.push(word);
  }
  return words.length ? words.join(' ') : null;
}

function titleCase(name: string): string {
  return name
    .split(/\s+/)
    .map((w) => (w === w.toLowerCase() ? w.charAt(0).toUpperCase() + w.slice(1) : w))
    .join(' ');
}

function validArgs<T extends z.ZodType>(
  schema: T,
  args: Record<string, unknown>,
): Record<string, unknown> | null {
  // The planner's arguments must pass the same validation a remote model's would; anything else is dropped.
  return schema.safeParse(args).success ? args : null;
}

function planContactUpdate(text: string): Record<string, unknown> | null {
  const args: Record<string, unknown> = {};
  const email = EMAIL_RE.exec(text)?.[0];
  // Only the customer's own address ("my email is", "change my e-mail to", "reach me at"), not "send it to my
  // boss at ...".
  const ownAddress =
    /\b(?:my|new|update|change)\b[^.!?]{0,30}?\b(?:e-?mail|mail|address)\b/i.test(text) ||
    /\b(?:e-?mail|reach|contact|write to)\s+me\s+(?:at|on)\b/i.test(text);
  if (email && ownAddress) args.email = email.toLowerCase();

  const name = captureName(
    text,
    /\b(?:my name is|my name's|change my name to|update my name to|set my name to|i am called|i'm called)/,
    4,
  );
  if (name) args.name = titleCase(name);

  const company = captureName(
    text,
    /\b(?:my company is|our company is|my company's|company name is|i work (?:at|for)|i'm with|i am with)/,
    4,
  );
  if (company) args.customFields = { company: company.replace(/[.,!?]+$/, '') };

  return Object.keys(args).length ? validArgs(ZUpdateContactArgs, args) : null;
}

function wantsLookup(text: string): boolean {
  return (
    /\bwhat (?:do|did) you (?:know|have) (?:about|on) me\b/i.test(text) ||
    /\bwhat(?:'s| is) on (?:file|record)\b/i.test(text) ||
    /\bwhat (?:info(?:rmation)?|details|data) do you have\b/i.test(text) ||
    /\b(?:my|our) (?:account|contact|customer|profile) (?:details|info(?:rmation)?|record|data)\b/i.test(
      text,
    ) ||
    /\b(?:show|tell me|check|look up|see)\s+my (?:details|account|profile|record)\b/i.test(text) ||
    /\blook me up\b/i.test(text)
  );
}

function planConversationUpdate(text: string): Record<string, unknown> | null {
  const args: Record<string, unknown> = {};
  const markedUrgent =
    /\b(?:mark|flag|set|make|treat)\s+(?:this|it|my case|(?:the|this) (?:conversation|ticket|chat))\s+(?:as\s+)?urgent\b/i.test(
      text,
    ) || /\b(?:this|it)(?: is|'s) urgent\b/i.test(text);
  const priority =
    /\b(urgent|high|medium|low)[ -]priority\b/i.exec(text)?.[1] ??
    /\bpriority\s+(?:to\s+|as\s+)?(urgent|high|medium|low)\b/i.exec(text)?.[1] ??
    (markedUrgent ? 'urgent' : undefined);
  if (priority) args.priority = priority.toLowerCase();

  // "close this", "you can close the ticket", "mark it resolved"; not "close my account" or "resolve this issue
  // with my login", which ask for something else.
  const target = /(?:this|it|(?:the|my|this|our)\s+(?:conversation|chat|ticket|case))/.source;
  if (new RegExp(`\\bre-?open\\s+${target}\\b`, 'i').test(text)) args.status = 'open';
  else if (
    new RegExp(
      `\\b(?:close|resolve)\\s+${target}\\s*(?:now|please|pls|thanks|thank you)?\\s*(?:[.!,;]|$)`,
      'i',
    ).test(text) ||
    /\b(?:close|resolve)\s+(?:the|my|this|our)\s+(?:conversation|chat|ticket|case)\b/i.test(text) ||
    /\bmark\s+(?:this|it)\s+(?:as\s+)?(?:resolved|solved|done|closed)\b/i.test(text)
  ) {
    args.status = 'resolved';
  } else if (/\b(?:mark|set|put)\s+(?:this|it)\s+(?:as\s+|to\s+|on\s+)?(?:pending|hold)\b/i.test(text)) {
    args.status = 'pending';
  }

  const tagged =
    /\b(?:tag|label)\s+(?:(?:this|it|the conversation|the chat|the ticket)\s+(?:as\s+|with\s+)?|as\s+|with\s+)(.+)/i.exec(
      text,
    );
  const added = /\badd (?:the |a )?(?:tags?|labels?)\s+(.+)/i.exec(text);
  const tagText = (tagged ?? added)?.[1];
  if (tagText) {
    const tags = tagText
      .split(/[.!?]/)[0]
      ?.split(/\s*(?:,|\band\b|&)\s*/i)
      .map((t) =>
        t
          .trim()
          .replace(/^["'“]|["'”]$/g, '')
          .toLowerCase(),
      )
      .filter((t) => /^[\p{L}\p{N}_-]{1,50}$/u.test(t) && !['please', 'pls', 'too', 'also'].includes(t));
    if (tags?.length) args.addTags = [...new Set(tags)].slice(0, 20);
  }
  return Object.keys(args).length ? validArgs(ZUpdateConversationArgs, args) : null;
}

function planFlow(text: string): Record<string, unknown> | null {
  const quoted =
    /\b(?:flow|workflow|automation|sequence)\s+(?:called|named)?\s*["“'‘]([^"”'’]{1,200})["”'’]/i.exec(
      text,
    ) ??
    /\b(?:flow|workflow|automation|sequence)\s+(?:called|named)\s+([\p{L}\p{N} _-]{1,60}?)(?:[.!?,]|$)/iu.exec(
      text,
    );
  const named =
    quoted ??
    /\b(?:start|run|trigger|launch|begin|kick off|fire)\s+(?:the\s+|our\s+|my\s+)?["“'‘]?([\p{L}\p{N} _-]{1,60}?)["”'’]?\s+(?:flow|workflow|automation|sequence)\b/iu.exec(
      text,
    );
  const flowName = named?.[1]?.trim().replace(/^(?:a|an|new)\s+/i, '');
  if (!flowName) return null;
  if (!quoted && !/\b(?:start|run|trigger|launch|begin|kick off|fire)\b/i.test(text)) return null;
  return validArgs(ZTriggerFlowArgs, { flowName });
}

function planBooking(text: string, now: Date): { args: Record<string, unknown> | null; wanted: boolean } {
  const wanted =
    /\b(?:book|schedule|reserve|arrange|set up|make)\b[^.!?]{0,40}?\b(?:appointment|meeting|call|demo|consultation|session|slot|visit|viewing|lesson|table|haircut|class|test drive)\b/i.test(
      text,
    ) ||
    /\b(?:book|schedule)\s+(?:me|us|it|in)\b/i.test(text) ||
    /\b(?:appointment|meeting|consultation)\b[^.!?]{0,40}?\b(?:for|on|at)\b/i.test(text) ||
    /\b(?:can|could) i (?:come|come in|come by|get an appointment)\b/i.test(text);
  if (!wanted) return { args: null, wanted: false };
  const start = parseAppointmentTime(text, now);
  if (!start || start.getTime() <= now.getTime()) return { args: null, wanted: true };

  const args: Record<string, unknown> = { startsAt: toIsoUtc(start) };
  const duration = parseDurationMinutes(text);
  if (duration !== null) args.durationMinutes = Math.min(480, Math.max(5, duration));
  const what =
    /\b(?:book|schedule|reserve|arrange|set up|make)\s+(?:me\s+|us\s+)?(?:a|an|the|my|our)\s+((?:[\p{L}-]+\s+){0,2}?(?:appointment|meeting|call|demo|consultation|session|visit|viewing|lesson|haircut|class|test drive|check-?up|cleaning|repair|fitting|tasting|tour))\b/iu.exec(
      text,
    )?.[1];
  if (what && what.toLowerCase() !== 'appointment') {
    args.title = what.charAt(0).toUpperCase() + what.slice(1).toLowerCase();
  }
  return { args: validArgs(ZBookAppointmentArgs, args), wanted: true };
}

/**
 * The tool calls a message asks for, among `offered`. Several can apply ("my email is ... and book me for
 * tomorrow at 3pm"); the handoff comes last because the agent loop stops at it.
 */
export function planToolCalls(message: string, offered: ReadonlySet<string>, now: Date): ToolPlan {
  const calls: PlannedCall[] = [];
  let bookingNeedsTime = false;

  if (offered.has('update_contact')) {
    const args = planContactUpdate(message);
    if (args) calls.push({ name: 'update_contact', arguments: args });
  }
  if (offered.has('lookup_crm') && wantsLookup(message)) calls.push({ name: 'lookup_crm', arguments: {} });
  if (offered.has('book_appointment')) {
    const booking = planBooking(message, now);
    if (booking.args) calls.push({ name: 'book_appointment', arguments: booking.args });
    else bookingNeedsTime = booking.wanted;
  }
  if (offered.has('update_conversation')) {
    const args = planConversationUpdate(message);
    if (args) calls.push({ name: 'update_conversation', arguments: args });
  }
  if (offered.has('trigger_flow')) {
    const args = planFlow(message);
    if (args) calls.push({ name: 'trigger_flow', arguments: args });
  }
  if (offered.has(AI_HANDOFF_TOOL) && HANDOFF_PATTERNS.some((re) => re.test(message))) {
    const quote = message.trim().replace(/\s+/g, ' ');
    calls.push({
      name: AI_HANDOFF_TOOL,
      arguments: {
        reason: `The customer asked to talk to a person: "${quote.length > 200 ? `${quote.slice(0, 200)}…` : quote}"`,
      },
    });
  }
  return { calls, bookingNeedsTime };
}
