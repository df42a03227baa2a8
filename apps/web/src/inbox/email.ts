import { emailAddressList, type TMessage } from '@orbitdesk/shared';

/**
 * An email's copies as one line: `cc` (a customer's email: To and Cc besides the inbox and the sender; an agent's
 * reply: whom it copied) or `bcc` (whom an agent's reply copied blind).
 */
export function emailCopies(content: Record<string, unknown>, field: 'cc' | 'bcc'): string | undefined {
  const list = emailAddressList(content[field]) ?? [];
  return list.length ? list.join(', ') : undefined;
}

/**
 * Who an email reply copies unless the agent changes it: everyone on the customer's latest email (what the API
 * does when a reply names no `cc`). `messages` are the loaded ones, newest first.
 */
export function replyAllCc(messages: TMessage[]): string[] {
  const latest = messages.find((m) => m.direction === 'in' && !m.isPrivate);
  return emailAddressList(latest?.content.cc) ?? [];
}

/** The Cc or Bcc field as typed: addresses separated by commas, semicolons or spaces, once each. */
export function parseAddresses(typed: string): string[] {
  return [
    ...new Set(
      typed
        .split(/[\s,;]+/)
        .map((a) => a.trim())
        .filter(Boolean),
    ),
  ];
}
