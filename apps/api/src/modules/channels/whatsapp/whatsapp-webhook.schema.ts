import { z } from 'zod';

/**
 * Meta's wire format inside a WhatsApp Business Account webhook change (field `messages`); the envelope is the
 * route's contract, ZWhatsAppWebhookPayload in @orbitdesk/shared. Loose objects throughout: Meta adds fields
 * without notice, and an unknown field must never turn a real delivery into a rejection.
 */

/** Just enough of a change to route it to an inbox before anything else is trusted. */
export const ZRoutableValue = z.looseObject({
  metadata: z.looseObject({ phone_number_id: z.string().min(1).max(64) }),
});

const ZUnixSeconds = z.union([z.string().regex(/^\d{1,12}$/), z.number().int().nonnegative()]);

export const ZWaError = z.looseObject({
  code: z.number().optional(),
  title: z.string().optional(),
  message: z.string().optional(),
  error_data: z.looseObject({ details: z.string().optional() }).optional(),
});
export type TWaError = z.infer<typeof ZWaError>;

export const ZChangeValue = z.looseObject({
  metadata: z.looseObject({ phone_number_id: z.string() }),
  contacts: z
    .array(
      z.looseObject({
        wa_id: z.string(),
        profile: z.looseObject({ name: z.string().optional() }).optional(),
      }),
    )
    .optional(),
  // Each message and status is parsed on its own, so one malformed item does not cost the others.
  messages: z.array(z.unknown()).optional(),
  statuses: z.array(z.unknown()).optional(),
  errors: z.array(ZWaError).optional(),
});
export type TChangeValue = z.infer<typeof ZChangeValue>;

const ZMediaRef = z.looseObject({
  id: z.string().regex(/^[A-Za-z0-9_.-]{1,256}$/),
  mime_type: z.string().max(255).optional(),
  caption: z.string().optional(),
  filename: z.string().optional(),
});
export type TWaMediaRef = z.infer<typeof ZMediaRef>;

const ZReply = z.looseObject({ id: z.string(), title: z.string(), description: z.string().optional() });

export const ZWaMessage = z.looseObject({
  from: z.string().min(1).max(64),
  id: z.string().min(1).max(256),
  timestamp: ZUnixSeconds.optional(),
  type: z.string(),
  text: z.looseObject({ body: z.string() }).optional(),
  image: ZMediaRef.optional(),
  video: ZMediaRef.optional(),
  audio: ZMediaRef.optional(),
  document: ZMediaRef.optional(),
  sticker: ZMediaRef.optional(),
  location: z
    .looseObject({
      latitude: z.number(),
      longitude: z.number(),
      name: z.string().optional(),
      address: z.string().optional(),
    })
    .optional(),
  contacts: z.array(z.record(z.string(), z.unknown())).optional(),
  interactive: z
    .looseObject({ type: z.string(), button_reply: ZReply.optional(), list_reply: ZReply.optional() })
    .optional(),
  /** A tap on a template's quick-reply button. */
  button: z.looseObject({ text: z.string(), payload: z.string().optional() }).optional(),
  errors: z.array(ZWaError).optional(),
});
export type TWaMessage = z.infer<typeof ZWaMessage>;

export const ZWaStatus = z.looseObject({
  id: z.string().min(1).max(256),
  status: z.string(),
  errors: z.array(ZWaError).optional(),
});
export type TWaStatus = z.infer<typeof ZWaStatus>;
