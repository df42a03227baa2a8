import { Inject, Injectable, Logger } from '@nestjs/common';
import { Readable } from 'node:stream';
import { AppError } from '../../../common/http/errors.js';
import { APP_CONFIG, type AppConfig } from '../../../config/app-config.js';
import { AttachmentsService } from '../../attachments/attachments.service.js';
import {
  TelegramApiError,
  TelegramBotApi,
  TelegramUnreachableError,
  ZTelegramFile,
} from './telegram-bot-api.js';
import type { TelegramMediaRef } from './telegram.normalizer.js';

/** The Bot API serves files up to 20 MB (getFile); larger ones have no file_path. */
const BOT_API_DOWNLOAD_LIMIT = 20 * 1024 * 1024;

export type FetchedMedia =
  | { type: TelegramMediaRef['type']; content: Record<string, unknown> }
  | { type: 'text'; content: { text: string } };

/**
 * Inbound media: getFile → `GET /file/bot<token>/<file_path>` → attachment storage, so the message keeps its file
 * after Telegram's download link expires (an hour). A file that cannot be fetched (too large, gone, Telegram
 * down: the webhook was already acknowledged, so there is no retry) still becomes a message: a text that says
 * what arrived and why it is missing, with the caption, rather than nothing at all.
 */
@Injectable()
export class TelegramMediaService {
  private readonly logger = new Logger('TelegramMedia');

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly api: TelegramBotApi,
    private readonly attachments: AttachmentsService,
  ) {}

  async fetch(tenantId: string, botToken: string, media: TelegramMediaRef): Promise<FetchedMedia> {
    const { type, fileId, fileName, mimeType, caption } = media;
    try {
      const file = await this.api.call(botToken, 'getFile', { file_id: fileId }, ZTelegramFile);
      if (!file.file_path)
        throw new TelegramApiError('getFile', 400, 'the file is too big for bots to download');
      const maxBytes = Math.min(this.config.ATTACHMENT_MAX_BYTES, BOT_API_DOWNLOAD_LIMIT);
      const bytes = await this.api.download(botToken, file.file_path, maxBytes);
      const stored = await this.attachments.storeFromStream({
        tenantId,
        fileName: fileName ?? file.file_path.split('/').pop() ?? type,
        contentType: mimeType,
        stream: Readable.from([bytes]),
      });
      return {
        type,
        content: {
          attachmentId: stored.id,
          mimeType: stored.contentType,
          ...(fileName ? { filename: stored.fileName } : {}),
          ...(caption ? { caption } : {}),
        },
      };
    } catch (err) {
      if (
        !(err instanceof TelegramApiError) &&
        !(err instanceof TelegramUnreachableError) &&
        !(err instanceof AppError)
      ) {
        throw err;
      }
      const reason = err instanceof TelegramApiError ? err.description : err.message;
      this.logger.warn(`a Telegram ${type} was not stored: ${reason}`);
      return {
        type: 'text',
        content: { text: `[${type} not stored: ${reason}]${caption ? `\n${caption}` : ''}` },
      };
    }
  }
}
