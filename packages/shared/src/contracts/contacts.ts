import { z } from 'zod';
import { CHANNEL_TYPES } from '../constants/channels.js';
import { ZIsoDate } from './common.js';

export const ZContactIdentity = z.object({
  channelType: z.enum(CHANNEL_TYPES),
  identifier: z.string(),
});
export type TContactIdentity = z.infer<typeof ZContactIdentity>;

export const ZContact = z.object({
  id: z.uuid(),
  phone: z.string().nullable(),
  name: z.string().nullable(),
  email: z.string().nullable(),
  tags: z.array(z.string()),
  customFields: z.record(z.string(), z.unknown()),
  optedIn: z.boolean(),
  isOnDncList: z.boolean(),
  avatarUrl: z.string().nullable(),
  identities: z.array(ZContactIdentity),
  createdAt: ZIsoDate,
  updatedAt: ZIsoDate,
});
export type TContact = z.infer<typeof ZContact>;
