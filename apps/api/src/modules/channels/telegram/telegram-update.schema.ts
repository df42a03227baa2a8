import { z } from 'zod';

/**
 * The parts of a Telegram Bot API `Update` that OrbitDesk reads (https://core.telegram.org/bots/api#update).
 * Unknown fields are dropped; an update whose known fields have the wrong shape fails as a whole and is skipped.
 */

const ZUser = z.object({
  id: z.number().int(),
  first_name: z.string(),
  last_name: z.string().optional(),
  username: z.string().optional(),
});

const ZChat = z.object({
  id: z.number().int(),
  /** private, group, supergroup or channel. */
  type: z.string(),
  first_name: z.string().optional(),
  last_name: z.string().optional(),
  username: z.string().optional(),
});

const ZFile = z.object({
  file_id: z.string().min(1),
  file_size: z.number().int().optional(),
  file_name: z.string().optional(),
  mime_type: z.string().optional(),
});

const ZSticker = ZFile.extend({ is_animated: z.boolean(), is_video: z.boolean() });

const ZLocation = z.object({ latitude: z.number(), longitude: z.number() });

export const ZTelegramMessage = z.object({
  message_id: z.number().int(),
  from: ZUser.optional(),
  chat: ZChat,
  /** Unix seconds. */
  date: z.number().int(),
  edit_date: z.number().int().optional(),
  text: z.string().optional(),
  caption: z.string().optional(),
  /** One photo in several sizes, smallest first. */
  photo: z.array(ZFile).min(1).optional(),
  document: ZFile.optional(),
  voice: ZFile.optional(),
  audio: ZFile.optional(),
  video: ZFile.optional(),
  video_note: ZFile.optional(),
  sticker: ZSticker.optional(),
  location: ZLocation.optional(),
  venue: z.object({ location: ZLocation, title: z.string(), address: z.string() }).optional(),
  contact: z
    .object({
      phone_number: z.string(),
      first_name: z.string(),
      last_name: z.string().optional(),
      user_id: z.number().int().optional(),
      vcard: z.string().optional(),
    })
    .optional(),
});
export type TelegramMessage = z.infer<typeof ZTelegramMessage>;

export const ZTelegramUpdate = z.object({
  update_id: z.number().int(),
  message: ZTelegramMessage.optional(),
  edited_message: ZTelegramMessage.optional(),
});
export type TelegramUpdate = z.infer<typeof ZTelegramUpdate>;
