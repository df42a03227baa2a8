import { Injectable, Logger } from '@nestjs/common';
import type { TWhatsAppVerifyQuery, TWhatsAppWebhookPayload } from '@orbitdesk/shared';
import { badRequest, forbidden, unauthorized } from '../../../common/http/errors.js';
import { badWebhookIdentity } from '../../../common/rate-limit/rate-limit.hook.js';
import { RateLimiterService } from '../../../common/rate-limit/rate-limiter.service.js';
import { requestContext } from '../../../common/tenancy/request-context.js';
import { ChannelCredentialsService } from '../channel-credentials.service.js';
import { hashWebhookToken } from '../channel-type.js';
import type { ChannelRow } from '../channels.repository.js';
import { InboundChannelCache } from '../inbound-channel-cache.js';
import { InboundWorkService } from '../inbound-work.service.js';
import { WhatsAppInboundService } from './whatsapp-inbound.service.js';
import { isWellFormedSignature, verifyPayload } from './whatsapp.signature.js';
import { ZRoutableValue } from './whatsapp-webhook.schema.js';

/**
 * Each number named by an unverified delivery costs a lookup and maybe an HMAC before the signature is known to be
 * good; Meta batches the numbers of one business account, far fewer than this.
 */
const MAX_NUMBERS_PER_DELIVERY = 50;

type Inbox = NonNullable<Awaited<ReturnType<InboundChannelCache['find']>>>;

/** The inbound journal's kind for one inbox's changes of a delivery (InboundWorkService). */
const WHATSAPP_CHANGES = 'whatsapp.changes';

/**
 * The one WhatsApp webhook of the platform. Every inbox shares the URL: the handshake finds its inbox by verify
 * token, a delivery by the phone_number_id of each change. A delivery must be signed with the app secret of an
 * inbox it is routed to; only the changes of inboxes whose secret verified the signature are processed, so one
 * tenant's secret never vouches for a payload aimed at another tenant's number.
 */
@Injectable()
export class WhatsAppWebhookService {
  private readonly logger = new Logger('WhatsAppWebhook');

  constructor(
    private readonly inboundChannels: InboundChannelCache,
    private readonly credentials: ChannelCredentialsService,
    private readonly limiter: RateLimiterService,
    private readonly work: InboundWorkService,
    private readonly inbound: WhatsAppInboundService,
  ) {
    work.register(WHATSAPP_CHANGES, (channelId, values) => this.process(channelId, values as unknown[]));
  }

  /** Meta's subscription handshake: the challenge is echoed only to the holder of an inbox's verify token. */
  async verifySubscription(query: TWhatsAppVerifyQuery): Promise<string> {
    const channel = await this.inboundChannels.findByWebhookTokenHash(
      hashWebhookToken(query['hub.verify_token']),
    );
    if (query['hub.mode'] !== 'subscribe' || channel?.type !== 'whatsapp') {
      await this.recordFailure();
      throw forbidden('Unknown verify token');
    }
    return query['hub.challenge'];
  }

  /** Verifies and answers; the routed changes are processed after the answer (InboundWorkService). */
  async receive(
    rawBody: Buffer | undefined,
    signature: string | undefined,
    payload: TWhatsAppWebhookPayload,
  ): Promise<void> {
    if (!rawBody || !isWellFormedSignature(signature)) {
      await this.recordFailure();
      throw unauthorized('Missing or malformed X-Hub-Signature-256');
    }
    const routed = this.route(payload);
    const numbers = new Set(routed.map((r) => r.phoneNumberId));
    if (numbers.size > MAX_NUMBERS_PER_DELIVERY) {
      await this.recordFailure();
      throw badRequest(`A delivery names at most ${MAX_NUMBERS_PER_DELIVERY} phone numbers`);
    }
    const verified = new Map<string, Inbox>();
    // Numbers of one Meta app share its secret: each secret's HMAC is computed once.
    const verdicts = new Map<string, boolean>();
    for (const phoneNumberId of numbers) {
      const channel = await this.inboundChannels.findByExternalId('whatsapp', phoneNumberId);
      const secret = channel ? this.credentials.open(channel).appSecret : undefined;
      if (!channel || !secret) continue;
      if (!verdicts.has(secret)) verdicts.set(secret, verifyPayload(secret, rawBody, signature));
      if (verdicts.get(secret)) verified.set(phoneNumberId, channel);
    }
    if (verified.size === 0) {
      await this.recordFailure();
      throw unauthorized('The signature does not match the app secret of any connected number');
    }
    // Each inbox's changes in order, journaled together.
    const work = new Map<string, unknown[]>();
    for (const { phoneNumberId, value } of routed) {
      const channel = verified.get(phoneNumberId);
      if (!channel) {
        this.logger.warn(
          `skipped a change for phone number id ${phoneNumberId}: not connected or not verified`,
        );
      } else if (!channel.isActive || channel.tenantStatus !== 'ACTIVE') {
        this.logger.log(`skipped a change for inbox ${channel.id}: the inbox or its workspace is not active`);
      } else {
        const values = work.get(channel.id);
        if (values) values.push(value);
        else work.set(channel.id, [value]);
      }
    }
    for (const [channelId, values] of work) await this.work.accept(WHATSAPP_CHANGES, channelId, values);
  }

  /** In order, one inbox's changes inside that inbox's tenant. */
  private async process(channelId: string, values: unknown[]): Promise<void> {
    const channel = await this.inboundChannels.find(channelId);
    if (channel?.type !== 'whatsapp') {
      this.logger.warn(`inbox ${channelId} is gone; ${values.length} changes dropped`);
      return;
    }
    for (const value of values) {
      await this.inTenantOf(channel, () => this.inbound.processChange(channel, value));
    }
  }

  /** The `messages` changes that name a phone number id; other fields are not subscribed to and are dropped. */
  private route(payload: TWhatsAppWebhookPayload): { phoneNumberId: string; value: unknown }[] {
    if (payload.object !== 'whatsapp_business_account') {
      throw badRequest(`Not a WhatsApp Business Account webhook (object ${payload.object})`);
    }
    return payload.entry.flatMap((entry) =>
      entry.changes.flatMap((change) => {
        const routable = ZRoutableValue.safeParse(change.value);
        if (change.field !== 'messages' || !routable.success) return [];
        return [{ phoneNumberId: routable.data.metadata.phone_number_id, value: change.value }];
      }),
    );
  }

  /** Counted per address, so guessing tokens or signatures is cut off long before the webhook budget runs out. */
  private recordFailure(): Promise<void> {
    return this.limiter.recordFailure(badWebhookIdentity(requestContext.get()?.ip ?? 'unknown'));
  }

  private inTenantOf<T>(channel: ChannelRow, fn: () => Promise<T>): Promise<T> {
    const ctx = requestContext.get();
    return requestContext.run({ requestId: ctx?.requestId, ip: ctx?.ip, tenantId: channel.tenantId }, fn);
  }
}
