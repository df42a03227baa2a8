/** The classifier's input limit (ZClassifyRequest.text); the start of a long message says what it is about. */
export const MAX_UNDERSTANDING_CHARS = 20_000;

const str = (value: unknown): string | undefined =>
  typeof value === 'string' && value.trim() ? value.trim() : undefined;

/**
 * What a message says in words, whatever its type: the text (with an email's subject before it), a media
 * caption, or the body of a provider's interactive payload. Null when there are no words (a sticker, a location,
 * a file without a caption): such messages are not classified.
 */
export function understandableText(content: Record<string, unknown>): string | null {
  const body = content.body;
  const main =
    str(content.text) ??
    str(content.caption) ??
    str(body) ??
    (body && typeof body === 'object' ? str((body as Record<string, unknown>).text) : undefined);
  const text = [str(content.subject), main].filter(Boolean).join('\n');
  return text ? text.slice(0, MAX_UNDERSTANDING_CHARS) : null;
}
