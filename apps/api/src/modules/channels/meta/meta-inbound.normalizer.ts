import type { MessageType } from '@orbitdesk/shared';
import type { TMetaAttachment, TMetaMessagingEvent } from './meta-webhook.schema.js';

/** A message ready for the pipeline, except for a file still to be fetched into storage. */
export interface MetaInboundDraft {
  providerMessageId?: string;
  type: MessageType;
  content: Record<string, unknown>;
  sentAt?: string;
  /** Meta's link to the file; the processor stores it and puts the attachment id into `content`. */
  media?: { url: string; fileName: string };
}

/** What one messaging event asks of us; a message with several files becomes several messages. */
export type MetaInboundAction =
  | { kind: 'message'; contactId: string; echo: boolean; draft: MetaInboundDraft }
  | { kind: 'delivered'; mids: string[] }
  /** Everything we sent the contact up to `upTo` reached this status (Messenger's watermarks). */
  | { kind: 'watermark'; contactId: string; status: 'delivered' | 'read'; upTo: Date }
  /** The contact saw everything up to and including this message of ours (Instagram's messaging_seen). */
  | { kind: 'seen'; contactId: string; mid: string };

const FILE_TYPES: Record<string, MessageType> = {
  image: 'image',
  video: 'video',
  audio: 'audio',
  file: 'document',
};

/** How a link-only attachment (shares, story mentions, reels, fallbacks) reads as text. */
const LINK_LABELS: Record<string, string> = {
  share: 'Shared a post',
  story_mention: 'Mentioned you in a story',
  reel: 'Shared a reel',
  ig_reel: 'Shared a reel',
  fallback: 'Shared a link',
  template: 'Shared a card',
};

const MAX_URL = 2048;
const isHttpUrl = (v: string | undefined): v is string =>
  v !== undefined && v.length <= MAX_URL && /^https?:\/\/[^\s]+$/i.test(v);

/**
 * One `entry[].messaging[]` event of Messenger or Instagram (the same platform, the same shapes) to what it asks
 * of us. The contact is always the person, never our account: the sender of a message, the recipient of an echo.
 */
export function normalizeMessagingEvent(event: TMetaMessagingEvent): MetaInboundAction[] {
  const sentAt = isoTime(event.timestamp);
  const person = event.sender.id;
  if (event.message) {
    const { message } = event;
    // An unsent (deleted) Instagram message: nothing to show.
    if (message.is_deleted) return [];
    const echo = message.is_echo === true;
    const contactId = echo ? event.recipient.id : person;
    return messageDrafts(message, sentAt).map((draft) => ({ kind: 'message', contactId, echo, draft }));
  }
  if (event.postback) {
    const text = event.postback.title?.trim() || event.postback.payload?.trim();
    if (!text) return [];
    // Postbacks before Graph v11 carry no mid: the person and the moment identify a redelivery instead.
    const id =
      event.postback.mid ??
      (event.timestamp !== undefined ? `postback:${person}:${event.timestamp}` : undefined);
    return [
      {
        kind: 'message',
        contactId: person,
        echo: false,
        draft: { providerMessageId: id, type: 'text', content: { text }, sentAt },
      },
    ];
  }
  if (event.delivery) {
    const { mids, watermark } = event.delivery;
    if (mids?.length) return [{ kind: 'delivered', mids }];
    const upTo = dateOf(watermark);
    return upTo ? [{ kind: 'watermark', contactId: person, status: 'delivered', upTo }] : [];
  }
  if (event.read) {
    const upTo = dateOf(event.read.watermark);
    if (upTo) return [{ kind: 'watermark', contactId: person, status: 'read', upTo }];
    return event.read.mid ? [{ kind: 'seen', contactId: person, mid: event.read.mid }] : [];
  }
  return [];
}

function messageDrafts(
  message: NonNullable<TMetaMessagingEvent['message']>,
  sentAt: string | undefined,
): MetaInboundDraft[] {
  const text = message.text?.trim() ? message.text : undefined;
  const attachments = message.attachments ?? [];
  const files = attachments.filter((a) => FILE_TYPES[a.type] && isHttpUrl(a.payload?.url));
  if (files.length) {
    // One message per file; the first keeps Meta's mid so a redelivery of the event is recognised.
    return files.map((a, i) => {
      const url = a.payload!.url!;
      const type: MessageType = a.payload?.sticker_id !== undefined ? 'sticker' : FILE_TYPES[a.type]!;
      return {
        providerMessageId: i === 0 ? message.mid : `${message.mid}:${i}`,
        type,
        content: i === 0 && text ? { caption: text.slice(0, 1024) } : {},
        sentAt,
        media: { url, fileName: fileNameOf(url, a.type) },
      };
    });
  }
  // A quick reply's text is the title of the button the person tapped.
  if (text) return [{ providerMessageId: message.mid, type: 'text', content: { text }, sentAt }];
  const other = attachments.map(otherAttachment).find((d) => d !== undefined);
  return other ? [{ providerMessageId: message.mid, sentAt, ...other }] : [];
}

/** A location pin, or a link-only attachment as text; undefined when there is nothing to show. */
function otherAttachment(a: TMetaAttachment): Pick<MetaInboundDraft, 'type' | 'content'> | undefined {
  const c = a.payload?.coordinates;
  if (a.type === 'location' && c && Math.abs(c.lat) <= 90 && Math.abs(c.long) <= 180) {
    const name = a.payload?.title?.trim();
    return {
      type: 'location',
      content: { latitude: c.lat, longitude: c.long, ...(name ? { name: name.slice(0, 256) } : {}) },
    };
  }
  const link = a.payload?.url;
  const url = isHttpUrl(link) ? link : undefined;
  const title = a.payload?.title?.trim();
  if (!url && !title) return undefined;
  const label = LINK_LABELS[a.type] ?? `Sent ${a.type.replace(/_/g, ' ')}`;
  return { type: 'text', content: { text: `${label}: ${[title, url].filter(Boolean).join(' ')}` } };
}

/** The last path segment of Meta's link (`123_456_n.jpg`), else the attachment type; stored names are sanitised. */
function fileNameOf(url: string, type: string): string {
  try {
    const last = new URL(url).pathname.split('/').filter(Boolean).pop();
    return last ? decodeURIComponent(last) : type;
  } catch {
    return type;
  }
}

function dateOf(ms: number | undefined): Date | undefined {
  if (ms === undefined || !Number.isFinite(ms) || ms <= 0) return undefined;
  const d = new Date(ms);
  return Number.isNaN(d.getTime()) ? undefined : d;
}

const isoTime = (ms: number | undefined) => dateOf(ms)?.toISOString();
