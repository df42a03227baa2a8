/** The form fields of a Twilio request: a string each, or a list when a name repeats. */
export type TwilioParams = Record<string, string | string[]>;

/** The parsed form body as Twilio's signature covers it; anything that is not form fields counts as none. */
export function formParams(body: unknown): TwilioParams {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return {};
  const params: TwilioParams = {};
  for (const [name, value] of Object.entries(body)) {
    if (typeof value === 'string') params[name] = value;
    else if (Array.isArray(value) && value.every((v) => typeof v === 'string')) params[name] = value;
  }
  return params;
}

/** One field's value; undefined when absent or repeated (Twilio sends every field once). */
export function field(params: TwilioParams, name: string): string | undefined {
  const value = params[name];
  return typeof value === 'string' ? value : undefined;
}

export type MediaMessageType = 'image' | 'video' | 'audio' | 'document';

export type InboundPart =
  | { providerMessageId: string; type: 'text'; text: string }
  | {
      providerMessageId: string;
      type: MediaMessageType;
      url: string;
      contentType?: string;
      caption?: string;
    };

/** Twilio sends at most 10 media per MMS. */
const MAX_MEDIA = 10;
/** A media message's caption is at most this long (ZMediaContent); an SMS body may reach 1600 characters. */
const MAX_CAPTION = 1024;
const SID = /^[A-Za-z0-9]{1,64}$/;

function isHttpUrl(value: string | undefined): boolean {
  try {
    return value !== undefined && /^https?:$/.test(new URL(value).protocol);
  } catch {
    return false;
  }
}

export const mediaTypeOf = (contentType: string | undefined): MediaMessageType => {
  const top = contentType?.split('/', 1)[0]?.toLowerCase();
  return top === 'image' || top === 'video' || top === 'audio' ? top : 'document';
};

/**
 * An incoming SMS/MMS as the messages to store, in order: the Body as text, or as the caption of the first
 * media when it fits there; one message per media. The first keeps the MessageSid as its provider id and the
 * next ones get `<MessageSid>:<n>`, so a redelivered webhook matches every one of them. Empty when there is
 * nothing to store (no MessageSid, or neither text nor media).
 */
export function inboundParts(params: TwilioParams): InboundPart[] {
  const sid = field(params, 'MessageSid');
  if (!sid || !SID.test(sid)) return [];
  const body = field(params, 'Body') ?? '';
  const hasText = body.trim().length > 0;
  const count = Math.min(Math.max(Number.parseInt(field(params, 'NumMedia') ?? '0', 10) || 0, 0), MAX_MEDIA);
  const media = Array.from({ length: count }, (_, i) => ({
    url: field(params, `MediaUrl${i}`),
    contentType: field(params, `MediaContentType${i}`),
  })).filter((m): m is { url: string; contentType: string | undefined } => isHttpUrl(m.url));

  const captioned = hasText && media.length > 0 && body.length <= MAX_CAPTION;
  const parts: InboundPart[] = [];
  const nextId = () => (parts.length === 0 ? sid : `${sid}:${parts.length}`);
  if (hasText && !captioned) parts.push({ providerMessageId: nextId(), type: 'text', text: body });
  media.forEach((m, i) =>
    parts.push({
      providerMessageId: nextId(),
      type: mediaTypeOf(m.contentType),
      url: m.url,
      ...(m.contentType ? { contentType: m.contentType } : {}),
      ...(captioned && i === 0 ? { caption: body } : {}),
    }),
  );
  return parts;
}
