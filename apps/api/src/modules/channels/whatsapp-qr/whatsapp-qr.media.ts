import { Inject, Injectable } from '@nestjs/common';
import type { MediaSource } from '@orbitdesk/plugin-whatsapp-qr';
import { ResponseTooLargeError, SsrfBlockedError } from '../../../common/http-client/http-client.errors.js';
import { SafeHttpClient } from '../../../common/http-client/safe-http-client.js';
import { APP_CONFIG, type AppConfig } from '../../../config/app-config.js';
import { AttachmentsService } from '../../attachments/attachments.service.js';
import { ChannelSendError } from '../message-channel.js';

export interface OutgoingMedia {
  media: MediaSource;
  fileName?: string;
  mimeType?: string;
}

const FETCH_TIMEOUT_MS = 60_000;

/**
 * The bytes of an outbound file, for Baileys to encrypt and upload. A stored attachment is read from storage; a
 * `url` is fetched here through SafeHttpClient rather than handed to Baileys, which would fetch any address the
 * agent typed from inside the worker's network.
 */
@Injectable()
export class WhatsAppQrMedia {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly attachments: AttachmentsService,
    private readonly http: SafeHttpClient,
  ) {}

  async load(content: Record<string, unknown>): Promise<OutgoingMedia> {
    const filename = typeof content.filename === 'string' ? content.filename : undefined;
    const mimeType = typeof content.mimeType === 'string' ? content.mimeType : undefined;
    if (typeof content.attachmentId === 'string') {
      const file = await this.attachments.openForSend(content.attachmentId).catch(() => {
        throw new ChannelSendError(true, 'The attached file no longer exists');
      });
      return {
        media: await file.read(),
        fileName: filename ?? file.fileName,
        mimeType: mimeType ?? file.contentType,
      };
    }
    if (typeof content.url !== 'string') throw new ChannelSendError(true, 'The message has no file');
    try {
      const res = await this.http.request(content.url, {
        timeoutMs: FETCH_TIMEOUT_MS,
        maxResponseBytes: this.config.ATTACHMENT_MAX_BYTES,
      });
      if (res.status < 200 || res.status >= 300) {
        throw new ChannelSendError(res.status >= 500, `The media URL answered ${res.status}`);
      }
      const type = res.headers['content-type'];
      const fromUrl = decodeURIComponent(new URL(res.url).pathname.split('/').pop() ?? '');
      return {
        media: res.body,
        fileName: filename ?? (fromUrl || undefined),
        mimeType: mimeType ?? (typeof type === 'string' ? type.split(';')[0]!.trim() : undefined),
      };
    } catch (err) {
      if (err instanceof ChannelSendError) throw err;
      if (err instanceof SsrfBlockedError)
        throw new ChannelSendError(true, `Media URL not allowed: ${err.reason}`);
      if (err instanceof ResponseTooLargeError) {
        throw new ChannelSendError(true, `The file at the media URL is larger than ${err.limitBytes} bytes`);
      }
      throw new ChannelSendError(false, `The media URL could not be fetched: ${(err as Error).message}`);
    }
  }
}
