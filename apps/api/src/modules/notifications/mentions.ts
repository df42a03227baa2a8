/**
 * @mentions in private notes. Two forms are recognised:
 *
 * - `@[Display Name](user:<uuid>)`: what the inbox's mention picker inserts. The id makes it unambiguous and
 *   stable when the user is renamed; the display name is only for reading the stored text.
 * - `@email@domain`, e.g. `@ada@example.com`: typed by hand.
 *
 * Parsing is purely textual; the caller resolves the ids and emails to active users of its tenant and ignores
 * the rest, so a mention of someone elsewhere (or of no one) does nothing.
 */
export interface ParsedMentions {
  userIds: string[];
  emails: string[];
}

/** More are ignored: a note is not a broadcast. */
export const MAX_MENTIONS = 50;

const EXPLICIT =
  /@\[([^\]\n]{1,200})\]\(user:([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\)/gi;
// Preceded by neither a word character nor another address character, so `bob@x.com` alone (no leading @) and
// the middle of `a@b@c.com` are not mentions. The domain must end in a letter TLD; trailing punctuation stays out.
const EMAIL = /(?<![\w.@+-])@([a-z0-9._%+-]{1,64}@[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,24})/gi;

export function parseMentions(text: string): ParsedMentions {
  const userIds = new Set<string>();
  const emails = new Set<string>();
  for (const m of text.matchAll(EXPLICIT)) userIds.add(m[2]!.toLowerCase());
  // Explicit mentions are blanked out first, so an address inside a display name is not counted again.
  for (const m of text.replace(EXPLICIT, ' ').matchAll(EMAIL)) emails.add(m[1]!.toLowerCase());
  return {
    userIds: [...userIds].slice(0, MAX_MENTIONS),
    emails: [...emails].slice(0, Math.max(0, MAX_MENTIONS - userIds.size)),
  };
}
