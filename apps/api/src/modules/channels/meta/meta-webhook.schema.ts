import { z } from 'zod';

/** Meta's ids are decimal strings (Page ids, PSIDs, IGSIDs); anything else is not from Meta. */
const ZGraphId = z.string().regex(/^\d{1,32}$/);

/**
 * The envelope, read only to route entries to inboxes before the signature is known to be good. Each event is
 * parsed on its own afterwards, so one malformed event does not cost the rest of a batch.
 */
export const ZMetaWebhookEnvelope = z.object({
  object: z.string().max(32),
  entry: z
    .array(
      z.object({ id: ZGraphId, time: z.number().optional(), messaging: z.array(z.unknown()).optional() }),
    )
    .max(1000),
});
export type TMetaWebhookEnvelope = z.infer<typeof ZMetaWebhookEnvelope>;
export type TMetaWebhookEntry = TMetaWebhookEnvelope['entry'][number];

const ZMid = z.string().min(1).max(240);

const ZAttachment = z.object({
  type: z.string().max(40),
  payload: z
    .object({
      url: z.string().max(4096).optional(),
      title: z.string().max(1000).optional(),
      sticker_id: z.union([z.number(), z.string()]).optional(),
      coordinates: z.object({ lat: z.number(), long: z.number() }).optional(),
    })
    .nullish(),
});
export type TMetaAttachment = z.infer<typeof ZAttachment>;

/** One item of `entry[].messaging`: a message (or its echo), a postback, a delivery or a read receipt. */
export const ZMetaMessagingEvent = z.object({
  sender: z.object({ id: ZGraphId }),
  recipient: z.object({ id: ZGraphId }),
  timestamp: z.number().optional(),
  message: z
    .object({
      mid: ZMid,
      text: z.string().max(65_536).optional(),
      is_echo: z.boolean().optional(),
      is_deleted: z.boolean().optional(),
      quick_reply: z.object({ payload: z.string().max(1000) }).optional(),
      attachments: z.array(ZAttachment).max(50).optional(),
    })
    .optional(),
  postback: z
    .object({
      mid: ZMid.optional(),
      title: z.string().max(1000).optional(),
      payload: z.string().max(1000).optional(),
    })
    .optional(),
  delivery: z
    .object({ mids: z.array(ZMid).max(1000).optional(), watermark: z.number().optional() })
    .optional(),
  read: z.object({ watermark: z.number().optional(), mid: ZMid.optional() }).optional(),
});
export type TMetaMessagingEvent = z.infer<typeof ZMetaMessagingEvent>;
