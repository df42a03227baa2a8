import { Injectable } from '@nestjs/common';
import type {
  NormalizedMessage,
  TApiInboundMessageRequest,
  TApiStatusUpdateRequest,
  TInboundMessageResponse,
  TStatusUpdateResponse,
} from '@orbitdesk/shared';
import { safeEqual } from '../../../common/crypto/hash.js';
import { forbidden, unauthorized } from '../../../common/http/errors.js';
import { badWebhookIdentity } from '../../../common/rate-limit/rate-limit.hook.js';
import { RateLimiterService } from '../../../common/rate-limit/rate-limiter.service.js';
import { requestContext } from '../../../common/tenancy/request-context.js';
import { ChannelCredentialsService } from '../channel-credentials.service.js';
import { ChannelPipelineService } from '../channel-pipeline.service.js';
import type { ChannelRow } from '../channels.repository.js';
import { InboundChannelCache } from '../inbound-channel-cache.js';

/** The inbound half of `api` inboxes: the tenant's own system posts messages and delivery reports. */
@Injectable()
export class ApiChannelService {
  constructor(
    private readonly inboundChannels: InboundChannelCache,
    private readonly credentials: ChannelCredentialsService,
    private readonly pipeline: ChannelPipelineService,
    private readonly limiter: RateLimiterService,
  ) {}

  async receive(
    inboxId: string,
    secret: string | undefined,
    body: TApiInboundMessageRequest,
  ): Promise<TInboundMessageResponse> {
    const channel = await this.authenticate(inboxId, secret);
    const normalized: NormalizedMessage = {
      channelId: channel.id,
      channelType: 'api',
      contact: body.contact,
      providerMessageId: body.message.id,
      type: body.message.type,
      content: body.message.content,
      sentAt: body.message.timestamp,
    };
    const result = await this.inTenantOf(channel, () => this.pipeline.ingest(normalized));
    return {
      messageId: result.message.id,
      conversationId: result.conversation.id,
      duplicate: result.duplicate,
    };
  }

  async updateStatus(
    inboxId: string,
    secret: string | undefined,
    body: TApiStatusUpdateRequest,
  ): Promise<TStatusUpdateResponse> {
    const channel = await this.authenticate(inboxId, secret);
    const update =
      body.status === 'failed'
        ? { status: body.status, reason: body.reason ?? 'Reported failed by the inbox' }
        : { status: body.status };
    const { message, changed } = await this.inTenantOf(channel, () =>
      this.pipeline.updateStatus(channel.id, body.providerMessageId, update),
    );
    return { messageId: message.id, status: message.status, changed };
  }

  /**
   * The inbox id comes from the URL, so nothing about the caller is known until the secret matches: an unknown
   * inbox, another channel type and a wrong secret all answer the same 401, and the comparison is constant-time.
   */
  private async authenticate(inboxId: string, secret: string | undefined): Promise<ChannelRow> {
    const channel = await this.inboundChannels.find(inboxId);
    const expected = channel?.type === 'api' ? this.credentials.open(channel).inboundSecret : undefined;
    if (!channel || !expected || !secret || !safeEqual(secret, expected)) {
      // Counted per address, so guessing secrets or inbox ids is cut off long before the webhook budget runs out.
      await this.limiter.recordFailure(badWebhookIdentity(requestContext.get()?.ip ?? 'unknown'));
      throw unauthorized('Missing or invalid X-Inbox-Secret');
    }
    if (!channel.isActive || channel.tenantStatus !== 'ACTIVE') {
      throw forbidden('This inbox is not accepting messages');
    }
    return channel;
  }

  /** Tenant-scoped work for a verified webhook: the tenant is the one that owns the inbox. */
  private inTenantOf<T>(channel: ChannelRow, fn: () => Promise<T>): Promise<T> {
    const ctx = requestContext.get();
    return requestContext.run({ requestId: ctx?.requestId, ip: ctx?.ip, tenantId: channel.tenantId }, fn);
  }
}
