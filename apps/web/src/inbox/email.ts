import type { TMessage } from '@orbitdesk/shared';

/** An email's other recipients (`content.cc`: To and Cc besides the inbox and the sender) as one line. */
export function emailCc(content: Record<string, unknown>): string | undefined {
  const cc = Array.isArray(content.cc) ? content.cc.filter((a): a is string => typeof a === 'string') : [];
  return cc.length ? cc.join(', ') : undefined;
}

/**
 * Who an email reply copies unless the agent changes it: everyone on the customer's latest email (what the API
 * does when a reply names no `cc`). `messages` are the loaded ones, newest first.
 */
export function replyAllCc(messages: TMessage[]): string[] {
  const latest = messages.find((m) => m.direction === 'in' && !m.isPrivate);
  const cc = latest?.content.cc;
  return Array.isArray(cc) ? cc.filter((a): a is string => typeof a === 'string') : [];
}

/** The Cc field as typed: addresses separated by commas, semicolons or spaces, once each. */
export function parseCc(typed: string): string[] {
  return [
    ...new Set(
      typed
        .split(/[\s,;]+/)
        .map((a) => a.trim())
        .filter(Boolean),
    ),
  ];
}
