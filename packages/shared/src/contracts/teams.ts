import { z } from 'zod';
import { ZIsoDate } from './common.js';

export const ZTeam = z.object({
  id: z.uuid(),
  name: z.string(),
  /** The team's users, in no particular order. */
  memberIds: z.array(z.uuid()),
  createdAt: ZIsoDate,
});
export type TTeam = z.infer<typeof ZTeam>;

export const ZTeamList = z.object({ items: z.array(ZTeam) });
export type TTeamList = z.infer<typeof ZTeamList>;

const ZTeamName = z.string().trim().min(1).max(100);

export const ZCreateTeamRequest = z.strictObject({ name: ZTeamName });
export type TCreateTeamRequest = z.infer<typeof ZCreateTeamRequest>;

export const ZUpdateTeamRequest = z.strictObject({ name: ZTeamName });
export type TUpdateTeamRequest = z.infer<typeof ZUpdateTeamRequest>;

/** A whole member list (teams, inboxes): it replaces the current one. */
export const ZSetMembersRequest = z.strictObject({
  userIds: z
    .array(z.uuid())
    .max(500)
    .refine((ids) => new Set(ids).size === ids.length, 'userIds must not repeat'),
});
export type TSetMembersRequest = z.infer<typeof ZSetMembersRequest>;
