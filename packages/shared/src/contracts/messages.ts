import { z } from 'zod';
import { MESSAGE_TYPES, type MessageType } from '../constants/channels.js';

const ZHttpUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).max(2048);

/** At most this many addresses get a copy of an email reply. */
export const MAX_EMAIL_CC = 50;
const ZEmailCc = z.array(z.email().max(254)).max(MAX_EMAIL_CC);

/**
 * A message content's `cc` or `bcc` as stored (jsonb, read without trusting its shape): its string entries, or
 * undefined when it is not a list (a message that names none; `[]` names nobody).
 */
export function emailAddressList(value: unknown): string[] | undefined {
  return Array.isArray(value) ? value.filter((a): a is string => typeof a === 'string') : undefined;
}

export const ZTextContent = z.strictObject({
  text: z
    .string()
    .min(1)
    .max(65_536)
    .refine((t) => t.trim().length > 0, 'must not be blank'),
  /** Email: the subject line, and the HTML body as received (render it sanitised; `text` is the plain part). */
  subject: z.string().max(998).optional(),
  html: z.string().max(1_048_576).optional(),
  /**
   * Email: the other people on the thread. On a received email, its To and Cc addresses other than the inbox's and
   * the sender's; on an agent's reply, who gets a copy (absent: everyone on the customer's latest email; [] nobody).
   */
  cc: ZEmailCc.optional(),
  /**
   * Email, an agent's reply only: blind copies. They receive the email without being named in it, and a later
   * reply does not copy them again.
   */
  bcc: ZEmailCc.optional(),
  /** Email: files that came with the message, stored as attachments. */
  attachments: z
    .array(
      z.strictObject({
        attachmentId: z.uuid(),
        filename: z.string().max(255).optional(),
        mimeType: z.string().max(100).optional(),
      }),
    )
    .max(50)
    .optional(),
});
/**
 * A file, given by `url` (fetched by the provider) or by `attachmentId` (a file stored here: uploaded by an
 * agent, or fetched from the provider when it came in). At least one of the two.
 */
export const ZMediaContent = z
  .strictObject({
    url: ZHttpUrl.optional(),
    attachmentId: z.uuid().optional(),
    caption: z.string().max(1024).optional(),
    filename: z.string().max(255).optional(),
    mimeType: z.string().max(100).optional(),
    /** Email: who the reply carrying this file copies, openly and blindly (as a text message's `cc` and `bcc`). */
    cc: ZEmailCc.optional(),
    bcc: ZEmailCc.optional(),
  })
  .refine((c) => c.url !== undefined || c.attachmentId !== undefined, {
    message: 'url or attachmentId is required',
    path: ['url'],
  });
export const ZLocationContent = z.strictObject({
  latitude: z.number().min(-90).max(90),
  longitude: z.number().min(-180).max(180),
  name: z.string().max(256).optional(),
  address: z.string().max(1024).optional(),
});
/** A provider-approved template, sent by name; the only kind allowed outside a 24-hour service window. */
export const ZTemplateContent = z.strictObject({
  name: z.string().min(1).max(512),
  language: z.string().min(2).max(15),
  components: z.array(z.record(z.string(), z.unknown())).max(20).optional(),
});
/** Provider-specific payloads (contact cards, buttons and lists) are passed through as given. */
const ZOpaqueContent = z.record(z.string(), z.unknown());

/** The content shape of each message type. */
export const MESSAGE_CONTENT_SCHEMAS: Record<MessageType, z.ZodType<Record<string, unknown>>> = {
  text: ZTextContent,
  image: ZMediaContent,
  video: ZMediaContent,
  audio: ZMediaContent,
  document: ZMediaContent,
  sticker: ZMediaContent,
  location: ZLocationContent,
  contacts: ZOpaqueContent,
  template: ZTemplateContent,
  interactive: ZOpaqueContent,
};

/** `{type, content}` where content is checked against its type; issues are reported under `content.…`. */
export function refineMessageContent(
  value: { type: MessageType; content: Record<string, unknown> },
  ctx: z.RefinementCtx,
): void {
  const parsed = MESSAGE_CONTENT_SCHEMAS[value.type].safeParse(value.content);
  if (parsed.success) return;
  for (const issue of parsed.error.issues) {
    ctx.addIssue({ ...issue, path: ['content', ...issue.path] });
  }
}

/** A short plain-text line for conversation lists and notifications. */
export function messagePreview(type: MessageType, content: Record<string, unknown>): string {
  const text = typeof content.text === 'string' ? content.text : undefined;
  const caption = typeof content.caption === 'string' ? content.caption : undefined;
  const line =
    text ??
    (type === 'template' && typeof content.name === 'string' ? `[template] ${content.name}` : undefined) ??
    (caption ? `[${type}] ${caption}` : `[${type}]`);
  return line.length > 200 ? `${line.slice(0, 199)}…` : line;
}

export const ZSendMessageRequest = z
  .strictObject({
    conversationId: z.uuid(),
    type: z.enum(MESSAGE_TYPES),
    content: z.record(z.string(), z.unknown()),
    /** A note for colleagues: stored and shown in the inbox, never sent to the contact. */
    isPrivate: z.boolean().default(false),
  })
  .superRefine(refineMessageContent);
export type TSendMessageRequest = z.infer<typeof ZSendMessageRequest>;
