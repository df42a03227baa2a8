/** Outbound sends: one job per message, id = message id, so a message is never queued twice. */
export const OUTBOUND_QUEUE = 'outbound';

export interface OutboundJobData {
  tenantId: string;
  messageId: string;
  /** For a message sent in several parts: how many earlier tries of this job delivered (SendProgress). */
  partsSent?: number;
}

/** Five tries, 1 s → 2 s → 4 s → 8 s apart: rides out a provider's brief outage without holding a message long. */
export const OUTBOUND_JOB_OPTIONS = {
  attempts: 5,
  backoff: { type: 'exponential', delay: 1_000 },
  removeOnComplete: { age: 24 * 3600, count: 10_000 },
  removeOnFail: { age: 7 * 24 * 3600 },
} as const;
