import { Inject, Injectable, Logger } from '@nestjs/common';
import { Readable } from 'node:stream';
import { SafeHttpClient } from '../../../common/http-client/safe-http-client.js';
import { APP_CONFIG, type AppConfig } from '../../../config/app-config.js';
import { AttachmentsService } from '../../attachments/attachments.service.js';
import type { TwilioAccount } from './twilio-sms.account.js';
import { TwilioClientFactory } from './twilio-sms.client.js';
import type { InboundPart } from './twilio-sms.inbound.js';

type MediaPart = Exclude<InboundPart, { type: 'text' }>;

const TIMEOUT_MS = 30_000;

/**
 * MMS media into storage. Twilio's MediaUrl asks for the account's credentials when the account protects its
 * media (HTTP Basic, Account SID : Auth Token) and then redirects to its CDN; the credentials are only ever sent
 * to the Twilio API, and SafeHttpClient drops them on the redirect to another origin.
 */
@Injectable()
export class TwilioMediaFetcher {
  private readonly logger = new Logger('TwilioSmsMedia');

  constructor(
    private readonly http: SafeHttpClient,
    private readonly attachments: AttachmentsService,
    private readonly clients: TwilioClientFactory,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * The media message's content: the stored file, or (when Twilio cannot hand it over) its Twilio URL, so the
   * message is kept and an admin can still open the file in Twilio's console.
   */
  async content(tenantId: string, account: TwilioAccount, part: MediaPart): Promise<Record<string, unknown>> {
    const common = {
      ...(part.contentType ? { mimeType: part.contentType } : {}),
      ...(part.caption ? { caption: part.caption } : {}),
    };
    try {
      const stored = await this.store(tenantId, account, part);
      return { ...common, attachmentId: stored.id, filename: stored.fileName, mimeType: stored.contentType };
    } catch (err) {
      this.logger.warn(`MMS media ${part.url} not stored (${(err as Error).message}); kept as a link`);
      return { ...common, url: part.url };
    }
  }

  private async store(tenantId: string, account: TwilioAccount, part: MediaPart) {
    const url = this.clients.apiUrl(part.url);
    const credentials = Buffer.from(`${account.accountSid}:${account.authToken}`).toString('base64');
    const res = await this.http.request(url, {
      headers: this.clients.isApiUrl(url) ? { authorization: `Basic ${credentials}` } : {},
      timeoutMs: TIMEOUT_MS,
      maxResponseBytes: this.config.ATTACHMENT_MAX_BYTES,
    });
    if (res.status !== 200) throw new Error(`Twilio answered ${res.status}`);
    return this.attachments.storeFromStream({
      tenantId,
      fileName: fileNameFor(part),
      contentType: part.contentType,
      stream: Readable.from([res.body]),
    });
  }
}

/** `ME…` (the media SID, the URL's last segment) with the content type's subtype as its extension. */
function fileNameFor(part: MediaPart): string {
  const sid = new URL(part.url).pathname.split('/').filter(Boolean).pop() ?? 'media';
  const subtype = part.contentType?.split('/')[1]?.split(';', 1)[0]?.trim().toLowerCase();
  return subtype && /^[a-z0-9]{1,10}$/.test(subtype) ? `${sid}.${subtype}` : sid;
}
