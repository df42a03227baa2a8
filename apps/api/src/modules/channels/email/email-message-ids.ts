import { createHash } from 'node:crypto';

/** messages.provider_message_id holds at most this much (NormalizedMessage.providerMessageId). */
const MAX_STORED_ID = 256;
/** A References header can name a whole thread; the most recent ids are the ones worth looking up. */
const MAX_REFERENCED = 50;

const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');

/**
 * How a Message-ID is kept as the provider id: `<local@domain>` as written, so inbound ids, the ids in
 * In-Reply-To / References and the ids we generate for replies all compare equal. The rare id longer than the
 * column allows is replaced by its hash, the same way wherever it appears.
 */
export function storedMessageId(id: string): string {
  return id.length <= MAX_STORED_ID ? id : `<${sha256(id)}@long-message-id.invalid>`;
}

/** Every `<...>` id in a header value, in order. */
function idsIn(value: string | string[] | undefined): string[] {
  const text = Array.isArray(value) ? value.join(' ') : (value ?? '');
  return text.match(/<[^<>\s]+>/g) ?? [];
}

/** The message's own id; undefined when it has none (some bulk senders and old clients). */
export function ownMessageId(value: string | undefined): string | undefined {
  const [id] = idsIn(value);
  return id === undefined ? undefined : storedMessageId(id);
}

/**
 * A message without a Message-ID still needs a stable provider id, or fetching it twice (a crash before the
 * cursor was saved) would store it twice: the hash of its bytes is the same every time it is fetched.
 */
export const contentMessageId = (raw: Buffer) => `<${sha256(raw)}@no-message-id.invalid>`;

/** Ids we made up ourselves: never sent to anyone in In-Reply-To or References. */
export const isSyntheticMessageId = (id: string) => id.endsWith('.invalid>');

/**
 * The earlier messages a reply points at, most telling first: In-Reply-To, then References from the newest
 * back to the first of the thread.
 */
export function referencedMessageIds(
  inReplyTo: string | undefined,
  references: string | string[] | undefined,
) {
  const ordered = [...idsIn(inReplyTo), ...idsIn(references).reverse()].map(storedMessageId);
  return [...new Set(ordered)].slice(0, MAX_REFERENCED);
}
