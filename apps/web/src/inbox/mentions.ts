/** The mention token the API understands in private notes: `@[Display Name](user:<uuid>)`. */
export const mentionToken = (name: string, userId: string): string =>
  `@[${name.replace(/[[\]]/g, '')}](user:${userId})`;

/** The `@partial` being typed right before the caret, if any. */
export function mentionQuery(text: string, caret: number): { start: number; query: string } | null {
  const match = /(^|\s)@([\p{L}\p{N}._-]*)$/u.exec(text.slice(0, caret));
  if (!match) return null;
  const query = match[2] ?? '';
  return { start: caret - query.length - 1, query };
}

const TOKEN = /@\[([^\]]+)\]\(user:[0-9a-f-]{36}\)/g;

/** Splits a note into text and mentions for display. */
export function splitMentions(text: string): { text: string; mention: boolean }[] {
  const parts: { text: string; mention: boolean }[] = [];
  let last = 0;
  for (const m of text.matchAll(TOKEN)) {
    if (m.index > last) parts.push({ text: text.slice(last, m.index), mention: false });
    parts.push({ text: `@${m[1]}`, mention: true });
    last = m.index + m[0].length;
  }
  if (last < text.length) parts.push({ text: text.slice(last), mention: false });
  return parts;
}
