import { z } from 'zod';

export const ZDailyVolume = z.object({
  /** UTC day, YYYY-MM-DD. */
  date: z.string(),
  inbound: z.number().int(),
  outbound: z.number().int(),
});

export const ZDashboardResponse = z.object({
  totalContacts: z.number().int(),
  messagesToday: z.object({ inbound: z.number().int(), outbound: z.number().int() }),
  /** Conversations that are open or pending. */
  activeConversations: z.number().int(),
  /** Flows in status ACTIVE (published and starting sessions). */
  activeFlows: z.number().int(),
  /** The last 7 UTC days, oldest first, today included; days without messages are zero. */
  volume7d: z.array(ZDailyVolume),
  generatedAt: z.iso.datetime({ offset: true }),
});
export type TDashboardResponse = z.infer<typeof ZDashboardResponse>;
