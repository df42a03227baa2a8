import { Inject, Injectable } from '@nestjs/common';
import { messagePreview, type MessageType, type TLiveChatMessage, type TMessage } from '@orbitdesk/shared';
import { createHash } from 'node:crypto';
import { APP_CONFIG, type AppConfig } from '../../../config/app-config.js';
import { API_PREFIX } from '../../../openapi/route-table.js';
import { AttachmentUrlSigner } from '../../attachments/attachment-url-signer.js';

/** How long a file link in the widget or in an offline email stays valid. */
export const WIDGET_FILE_LINK_TTL_SECONDS = 24 * 3600;
export const EMAIL_FILE_LINK_TTL_SECONDS = 7 * 24 * 3600;

/**
 * The provider id of a visitor's message: the widget's own id, prefixed with a digest of the visitor id. Provider
 * ids are unique per inbox, so without the prefix one visitor could reuse another's client id and be answered
 * with (or silently lose their message to) the other visitor's message.
 */
export function visitorProviderId(visitorId: string, clientMessageId: string): string {
  const key = createHash('sha256').update(visitorId).digest('base64url').slice(0, 22);
  return `${key}:${clientMessageId}`;
}

const clientIdOf = (m: Pick<TMessage, 'direction' | 'providerMessageId'>): string | null =>
  m.direction === 'in' && m.providerMessageId ? (m.providerMessageId.split(':')[1] ?? null) : null;

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const FILE_TYPES = new Set<MessageType>(['image', 'video', 'audio', 'document', 'sticker']);

/**
 * Links to stored files that a page on any site may load: the same signed links as the attachments module
 * (same key, same check), served by the widget's own route, which allows cross-origin embedding.
 */
@Injectable()
export class LiveChatFileLinks {
  private readonly signer: AttachmentUrlSigner;
  private readonly base: string;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.signer = new AttachmentUrlSigner(
      Buffer.from(config.ENCRYPTION_KEY, 'base64'),
      config.PUBLIC_URL,
      WIDGET_FILE_LINK_TTL_SECONDS,
    );
    this.base = `${config.PUBLIC_URL.replace(/\/+$/, '')}/${API_PREFIX}/channels/live-chat/files`;
  }

  link(tenantId: string, attachmentId: string, ttlSeconds = WIDGET_FILE_LINK_TTL_SECONDS): string {
    const { url } = this.signer.sign(attachmentId, tenantId, Date.now(), ttlSeconds);
    return `${this.base}/${attachmentId}${new URL(url).search}`;
  }

  /** A message as the visitor sees it; files become links, types the widget cannot show become a text line. */
  toVisitorMessage(
    tenantId: string,
    m: Pick<TMessage, 'id' | 'direction' | 'type' | 'content' | 'status' | 'providerMessageId' | 'createdAt'>,
    linkTtlSeconds = WIDGET_FILE_LINK_TTL_SECONDS,
  ): TLiveChatMessage {
    const c = m.content;
    let content: Record<string, unknown>;
    if (m.type === 'text') {
      content = { text: str(c.text) ?? '' };
    } else if (FILE_TYPES.has(m.type)) {
      const attachmentId = str(c.attachmentId);
      content = {
        url: attachmentId ? this.link(tenantId, attachmentId, linkTtlSeconds) : str(c.url),
        filename: str(c.filename),
        mimeType: str(c.mimeType),
        caption: str(c.caption),
      };
    } else if (m.type === 'location') {
      content = { latitude: c.latitude, longitude: c.longitude, name: str(c.name), address: str(c.address) };
    } else {
      content = { text: messagePreview(m.type, c) };
    }
    return {
      id: m.id,
      clientMessageId: clientIdOf(m),
      from: m.direction === 'in' ? 'visitor' : 'agent',
      type: m.type,
      content: Object.fromEntries(Object.entries(content).filter(([, v]) => v !== undefined)),
      status: m.status,
      createdAt: m.createdAt,
    };
  }
}
