import { Inject, Injectable, Logger } from '@nestjs/common';
import { Readable } from 'node:stream';
import { SafeHttpClient } from '../../../common/http-client/safe-http-client.js';
import { APP_CONFIG, type AppConfig } from '../../../config/app-config.js';
import { AttachmentsService } from '../../attachments/attachments.service.js';

const TIMEOUT_MS = 30_000;

/**
 * Copies a file a contact sent into our storage. Meta's links (fbcdn, lookaside) are public but expire, so the
 * file is fetched while the link still works. The link arrived in a verified payload, yet it is still a URL from
 * outside: SafeHttpClient keeps it off private networks.
 */
@Injectable()
export class MetaMediaFetcher {
  private readonly logger = new Logger('MetaMediaFetcher');

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly http: SafeHttpClient,
    private readonly attachments: AttachmentsService,
  ) {}

  /**
   * The content with `attachmentId` (and the stored name and type) added. When the file cannot be had, the
   * message keeps Meta's link instead of being lost, and the reason is logged.
   */
  async store(
    tenantId: string,
    media: { url: string; fileName: string },
    content: Record<string, unknown>,
  ): Promise<Record<string, unknown>> {
    try {
      const res = await this.http.request(media.url, {
        timeoutMs: TIMEOUT_MS,
        maxResponseBytes: this.config.ATTACHMENT_MAX_BYTES,
      });
      if (res.status !== 200) throw new Error(`the link answered ${res.status}`);
      const declared = res.headers['content-type'];
      const stored = await this.attachments.storeFromStream({
        tenantId,
        fileName: media.fileName,
        contentType: typeof declared === 'string' ? declared.split(';')[0]!.trim() : undefined,
        stream: Readable.from([res.body]),
      });
      return { ...content, attachmentId: stored.id, filename: stored.fileName, mimeType: stored.contentType };
    } catch (err) {
      this.logger.warn(`kept the link of a file that could not be stored: ${(err as Error).message}`);
      return { ...content, url: media.url };
    }
  }
}
