import { z } from 'zod';

/**
 * What the poller keeps in channels.state between polls:
 * - `imap`: the cursor, the last UID stored for one mailbox (mailboxKey) under one UIDVALIDITY; only UIDs above
 *   it are fetched, so a restart re-imports nothing.
 * - `pollError`: why the last poll failed (shown in the inbox's details until a poll succeeds).
 */
const ZCursor = z.object({
  mailbox: z.string(),
  uidValidity: z.string(),
  lastUid: z.number().int().min(0),
});
export type ImapCursor = z.infer<typeof ZCursor>;

const ZPollError = z.object({ message: z.string(), at: z.string() });
export type PollError = z.infer<typeof ZPollError>;

export function cursorOf(state: Record<string, unknown>): ImapCursor | undefined {
  const parsed = ZCursor.safeParse(state.imap);
  return parsed.success ? parsed.data : undefined;
}

export function pollErrorOf(state: Record<string, unknown>): PollError | undefined {
  const parsed = ZPollError.safeParse(state.pollError);
  return parsed.success ? parsed.data : undefined;
}
