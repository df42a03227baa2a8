/**
 * The first of the agent's handoff keywords the message contains as whole words, case-insensitively ("human"
 * matches "a Human, please" but not "humane"), or undefined. Letters and digits of any script count as word
 * characters, so the rule holds beyond English.
 */
export function matchHandoffKeyword(text: string, keywords: readonly string[]): string | undefined {
  for (const keyword of keywords) {
    const k = keyword.trim();
    if (!k) continue;
    const escaped = k.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/\s+/g, '\\s+');
    if (new RegExp(`(?<![\\p{L}\\p{N}_])${escaped}(?![\\p{L}\\p{N}_])`, 'iu').test(text)) return keyword;
  }
  return undefined;
}
