import { ZNormalizedMessage, type NormalizedMessage } from '@orbitdesk/shared';
import type { StatusUpdate } from '../channel-pipeline.service.js';
import {
  ZWaMessage,
  ZWaStatus,
  type TChangeValue,
  type TWaError,
  type TWaMessage,
} from './whatsapp-webhook.schema.js';

export const MEDIA_TYPES = ['image', 'video', 'audio', 'document', 'sticker'] as const;
export type WaMediaType = (typeof MEDIA_TYPES)[number];

/** A file still at Meta: fetched into storage by the inbound service, which then completes `content`. */
export interface PendingMedia {
  id: string;
  mimeType?: string;
  filename?: string;
  caption?: string;
}

export type InboundItem =
  | { kind: 'message'; message: NormalizedMessage }
  | { kind: 'media'; message: Omit<NormalizedMessage, 'content'>; media: PendingMedia }
  | { kind: 'skip'; id: string; reason: string };

type Contacts = TChangeValue['contacts'];

const clip = (s: string | undefined, max: number) =>
  s === undefined ? undefined : Array.from(s).slice(0, max).join('');

/** Meta's unix seconds (a string) as ISO 8601; undefined when absent or absurd. */
function sentAt(timestamp: string | number | undefined): string | undefined {
  if (timestamp === undefined) return undefined;
  const ms = Number(timestamp) * 1000;
  return Number.isFinite(ms) && ms <= 8.64e15 ? new Date(ms).toISOString() : undefined;
}

/**
 * One message of a `messages` change in OrbitDesk's shape. The sender is `contacts[]` entry whose wa_id is the
 * message's `from` (a batch can hold several senders). Interactive replies (buttons, list rows, a template's
 * quick reply) become `interactive` messages whose `text` is the tapped title, with the reply's id kept for
 * flows. Reactions and the types OrbitDesk cannot show (unsupported, system, order, ...) are skipped.
 */
export function normalizeMessage(channelId: string, raw: unknown, contacts: Contacts): InboundItem {
  const parsed = ZWaMessage.safeParse(raw);
  const rawId = (raw as { id?: unknown } | null)?.id;
  if (!parsed.success) {
    return { kind: 'skip', id: typeof rawId === 'string' ? rawId : '?', reason: 'malformed message' };
  }
  const m = parsed.data;
  const sender = contacts?.find((c) => c.wa_id === m.from);
  const waId = sender?.wa_id ?? m.from;
  const base = {
    channelId,
    channelType: 'whatsapp' as const,
    contact: {
      identifier: waId,
      phone: `+${waId}`,
      ...(sender?.profile?.name ? { name: clip(sender.profile.name, 256) } : {}),
    },
    providerMessageId: m.id,
    sentAt: sentAt(m.timestamp),
  };
  const skip = (reason: string): InboundItem => ({ kind: 'skip', id: m.id, reason });

  if ((MEDIA_TYPES as readonly string[]).includes(m.type)) {
    const type = m.type as WaMediaType;
    const ref = m[type];
    if (!ref) return skip(`${type} message without its ${type} object`);
    return {
      kind: 'media',
      message: { ...base, type },
      media: {
        id: ref.id,
        mimeType: clip(ref.mime_type, 100),
        filename: clip(ref.filename, 255),
        caption: clip(ref.caption, 1024),
      },
    };
  }
  const body = content(m);
  if ('skip' in body) return skip(body.skip);
  const message = { ...base, ...body };
  // The pipeline refuses what its schema refuses (a blank text, a latitude of 200): skipped here, with the reason.
  const valid = ZNormalizedMessage.safeParse(message);
  if (!valid.success) return skip(`invalid ${m.type}: ${valid.error.issues[0]?.message ?? 'rejected'}`);
  return { kind: 'message', message: valid.data };
}

type Body = Pick<NormalizedMessage, 'type' | 'content'> | { skip: string };

function content(m: TWaMessage): Body {
  switch (m.type) {
    case 'text':
      return m.text
        ? { type: 'text', content: { text: m.text.body } }
        : { skip: 'text message without text' };
    case 'location':
      return m.location
        ? {
            type: 'location',
            content: {
              latitude: m.location.latitude,
              longitude: m.location.longitude,
              ...(m.location.name ? { name: clip(m.location.name, 256) } : {}),
              ...(m.location.address ? { address: clip(m.location.address, 1024) } : {}),
            },
          }
        : { skip: 'location message without a location' };
    case 'contacts':
      return m.contacts?.length
        ? { type: 'contacts', content: { contacts: m.contacts } }
        : { skip: 'contacts message without contacts' };
    case 'interactive': {
      const kind = m.interactive?.type;
      const reply =
        kind === 'button_reply'
          ? m.interactive?.button_reply
          : kind === 'list_reply'
            ? m.interactive?.list_reply
            : undefined;
      if (!kind || !reply) return { skip: `interactive ${kind ?? 'message'} is not supported` };
      return {
        type: 'interactive',
        content: {
          text: reply.title,
          reply: {
            type: kind,
            id: reply.id,
            title: reply.title,
            ...(reply.description ? { description: reply.description } : {}),
          },
        },
      };
    }
    case 'button':
      return m.button
        ? {
            type: 'interactive',
            content: {
              text: m.button.text,
              reply: { type: 'button', id: m.button.payload ?? m.button.text, title: m.button.text },
            },
          }
        : { skip: 'button message without its button' };
    case 'reaction':
      return { skip: 'reactions are not stored' };
    default: {
      const error = m.errors?.[0];
      return { skip: `${m.type} messages are not supported${error?.title ? ` (${error.title})` : ''}` };
    }
  }
}

export type StatusItem =
  { kind: 'update'; id: string; update: StatusUpdate } | { kind: 'skip'; id: string; reason: string };

/** `Title: details (code)`, Meta's reason for a failed delivery as an agent reads it. */
export function describeWaError(error: TWaError | undefined): string {
  if (!error) return 'WhatsApp reported the message as failed';
  const title = error.title ?? error.message ?? 'Delivery failed';
  const details = error.error_data?.details ?? (error.message !== title ? error.message : undefined);
  const text = details && details !== title ? `${title}: ${details}` : title;
  return `${text}${error.code !== undefined ? ` (WhatsApp error ${error.code})` : ''}`.slice(0, 1000);
}

/**
 * A delivery report for a message sent from the inbox. `sent` is skipped: the Graph API's answer to the send
 * already marked the message sent. Anything else Meta reports (deleted, warning, ...) is skipped too.
 */
export function normalizeStatus(raw: unknown): StatusItem {
  const parsed = ZWaStatus.safeParse(raw);
  if (!parsed.success) {
    const rawId = (raw as { id?: unknown } | null)?.id;
    return { kind: 'skip', id: typeof rawId === 'string' ? rawId : '?', reason: 'malformed status' };
  }
  const { id, status, errors } = parsed.data;
  switch (status) {
    case 'delivered':
    case 'read':
      return { kind: 'update', id, update: { status } };
    case 'failed':
      return { kind: 'update', id, update: { status, reason: describeWaError(errors?.[0]) } };
    default:
      return { kind: 'skip', id, reason: `status ${status} is not tracked` };
  }
}
