import { Injectable, Logger } from '@nestjs/common';
import type { NormalizedMessage } from '@orbitdesk/shared';
import { safeEqual } from '../../../common/crypto/hash.js';
import { forbidden, unauthorized } from '../../../common/http/errors.js';
import { badWebhookIdentity } from '../../../common/rate-limit/rate-limit.hook.js';
import { RateLimiterService } from '../../../common/rate-limit/rate-limiter.service.js';
import { requestContext } from '../../../common/tenancy/request-context.js';
import { TenantDb } from '../../../common/tenancy/tenant-db.service.js';
import { ChannelCredentialsService, type ChannelSecrets } from '../channel-credentials.service.js';
import { ChannelPipelineRepository } from '../channel-pipeline.repository.js';
import { ChannelPipelineService } from '../channel-pipeline.service.js';
import { hashWebhookToken } from '../channel-type.js';
import type { ChannelRow } from '../channels.repository.js';
import { InboundChannelCache } from '../inbound-channel-cache.js';
import { InboundWorkService } from '../inbound-work.service.js';
import { TelegramMediaService } from './telegram-media.service.js';
import { webhookHeaderSecret } from './telegram-secrets.js';
import { normalizeTelegramUpdate } from './telegram.normalizer.js';

/** The inbound journal's kind for one Telegram update (InboundWorkService). */
const TELEGRAM_UPDATE = 'telegram.update';

/** The webhook half of Telegram inboxes: verify the delivery, answer, then store its one update. */
@Injectable()
export class TelegramInboundService {
  private readonly logger = new Logger('TelegramInbound');

  constructor(
    private readonly inboundChannels: InboundChannelCache,
    private readonly credentials: ChannelCredentialsService,
    private readonly pipeline: ChannelPipelineService,
    private readonly messages: ChannelPipelineRepository,
    private readonly tenantDb: TenantDb,
    private readonly media: TelegramMediaService,
    private readonly work: InboundWorkService,
    private readonly limiter: RateLimiterService,
  ) {
    work.register(TELEGRAM_UPDATE, async (channelId, update) => {
      const channel = await this.inboundChannels.find(channelId);
      if (channel?.type !== 'telegram') {
        this.logger.warn(`inbox ${channelId} is gone; an update for it dropped`);
        return;
      }
      await this.store(channel, this.credentials.open(channel), update);
    });
  }

  /**
   * Verified before anything is read from the body; the update is stored after the answer, because Telegram
   * waits for it before sending the bot's next update and retries a slow one.
   */
  async receive(pathToken: string, secretHeader: string | undefined, update: unknown): Promise<void> {
    const { channel } = await this.authenticate(pathToken, secretHeader);
    await this.work.accept(TELEGRAM_UPDATE, channel.id, update);
  }

  /**
   * The path token finds the inbox and the header proves the caller is Telegram: an unknown path, another
   * channel type, a missing or wrong header all answer the same 401, compared in constant time.
   */
  private async authenticate(pathToken: string, secretHeader: string | undefined) {
    const channel = await this.inboundChannels.findByWebhookTokenHash(hashWebhookToken(pathToken));
    const secrets = channel?.type === 'telegram' ? this.credentials.open(channel) : undefined;
    const expected = secrets ? webhookHeaderSecret(secrets) : undefined;
    if (!channel || !secrets || !expected || !secretHeader || !safeEqual(secretHeader, expected)) {
      // Counted per address, so guessing path tokens is cut off long before the webhook budget runs out.
      await this.limiter.recordFailure(badWebhookIdentity(requestContext.get()?.ip ?? 'unknown'));
      throw unauthorized('Missing or invalid X-Telegram-Bot-Api-Secret-Token');
    }
    if (!channel.isActive || channel.tenantStatus !== 'ACTIVE') {
      // Not acknowledged: Telegram keeps the update and delivers it if the inbox is switched on again in time.
      throw forbidden('This inbox is not accepting messages');
    }
    return { channel, secrets };
  }

  private async store(channel: ChannelRow, secrets: ChannelSecrets, update: unknown): Promise<void> {
    const normalized = normalizeTelegramUpdate(update);
    if ('skip' in normalized) {
      this.logger.log(`inbox ${channel.id}: skipped an update: ${normalized.skip}`);
      return;
    }
    const ctx = requestContext.get();
    await requestContext.run({ ...ctx, tenantId: channel.tenantId }, async () => {
      if ('media' in normalized.body && (await this.stored(channel.id, normalized.providerMessageId))) return;
      const body =
        'media' in normalized.body
          ? await this.media.fetch(channel.tenantId, secrets.botToken!, normalized.body.media)
          : normalized.body;
      const message: NormalizedMessage = {
        channelId: channel.id,
        channelType: 'telegram',
        contact: normalized.contact,
        providerMessageId: normalized.providerMessageId,
        type: body.type,
        content: body.content,
        sentAt: normalized.sentAt,
      };
      await this.pipeline.ingest(message);
    });
  }

  /** A redelivered media message is known before its file is fetched again (and stored a second time). */
  private async stored(channelId: string, providerMessageId: string): Promise<boolean> {
    const row = await this.tenantDb.run((tx) =>
      this.messages.findMessageByProviderId(tx, channelId, providerMessageId),
    );
    return row !== undefined;
  }
}
