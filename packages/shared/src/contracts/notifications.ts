import { z } from 'zod';
import { ZCursorQuery, ZIsoDate, ZPage } from './common.js';

export const NOTIFICATION_TYPES = ['mention', 'assignment'] as const;
export type NotificationType = (typeof NOTIFICATION_TYPES)[number];

/**
 * A personal notification: listed by the API and pushed live as the Socket.IO `notification` event in this same
 * shape. `payload` depends on `type`:
 * - `mention`: `{ conversationNumber, authorId, preview }` (the note that mentioned the user);
 * - `assignment`: `{ conversationNumber, assignedBy }` (`assignedBy` is null for automatic assignment).
 */
export const ZNotification = z.object({
  id: z.uuid(),
  type: z.enum(NOTIFICATION_TYPES),
  conversationId: z.uuid().nullable(),
  messageId: z.uuid().nullable(),
  payload: z.record(z.string(), z.unknown()),
  readAt: ZIsoDate.nullable(),
  createdAt: ZIsoDate,
});
export type TNotification = z.infer<typeof ZNotification>;

export const ZListNotificationsQuery = ZCursorQuery.extend({
  /** `true`: only unread ones; `false`: only read ones; absent: all. */
  unread: z
    .enum(['true', 'false'])
    .transform((v) => v === 'true')
    .optional(),
});
export type TListNotificationsQuery = z.infer<typeof ZListNotificationsQuery>;

export const ZNotificationPage = ZPage(ZNotification);
export type TNotificationPage = z.infer<typeof ZNotificationPage>;

export const ZReadAllNotificationsResponse = z.object({
  /** How many notifications were unread and are now read. */
  updated: z.number().int(),
});
export type TReadAllNotificationsResponse = z.infer<typeof ZReadAllNotificationsResponse>;
