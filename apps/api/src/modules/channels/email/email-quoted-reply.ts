/** Lines a mail client puts above the message it quotes: `On Mon, 3 Mar 2025, Jane <jane@x.test> wrote:`. */
const ATTRIBUTION = /(?:wrote|schrieb|écrit|escribió|scritto|schreef):?\s*$|^On\s.*:\s*$|@.*:\s*$/i;
/** Outlook quotes without `>`: everything from its separator down is the earlier message. */
const OUTLOOK_SEPARATOR = /^\s*(?:-{2,}\s*Original Message\s*-{2,}|_{10,})\s*$/i;

const isQuoted = (line: string) => /^\s*>/.test(line);
const isBlank = (line: string) => line.trim() === '';

/**
 * The customer's own words of a reply, without the earlier message their client quoted below them. Only a
 * quote that runs to the end of the message is cut, with the attribution line right above it, and only when
 * something is left: inline answers between quoted lines are kept whole, and so is a message that is nothing
 * but a quote. The HTML part is never touched, so the full message stays readable there.
 */
export function stripQuotedReply(text: string): string {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  const cut = outlookCut(lines) ?? quoteBlockCut(lines);
  if (cut === undefined) return text;
  const kept = lines.slice(0, cut).join('\n').trimEnd();
  return kept.trim() ? kept : text;
}

function outlookCut(lines: string[]): number | undefined {
  const at = lines.findIndex((line) => OUTLOOK_SEPARATOR.test(line));
  return at > 0 ? at : undefined;
}

/** Where the trailing `>` block starts, moved up over its attribution (which clients may wrap onto two lines). */
function quoteBlockCut(lines: string[]): number | undefined {
  let start = lines.length;
  let quoted = false;
  while (start > 0 && (isQuoted(lines[start - 1]!) || isBlank(lines[start - 1]!))) {
    quoted ||= isQuoted(lines[start - 1]!);
    start--;
  }
  if (!quoted) return undefined;
  if (start > 0 && ATTRIBUTION.test(lines[start - 1]!)) {
    start--;
    if (start > 0 && /^On\s/i.test(lines[start - 1]!) && !/^On\s/i.test(lines[start]!)) start--;
  }
  return start;
}
