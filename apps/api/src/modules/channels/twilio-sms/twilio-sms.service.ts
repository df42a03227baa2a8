import { Inject, Injectable, Logger } from '@nestjs/common';
import twilio from 'twilio';
import { forbidden } from '../../../common/http/errors.js';
import { badWebhookIdentity } from '../../../common/rate-limit/rate-limit.hook.js';
import { RateLimiterService } from '../../../common/rate-limit/rate-limiter.service.js';
import { requestContext } from '../../../common/tenancy/request-context.js';
import { APP_CONFIG, type AppConfig } from '../../../config/app-config.js';
import { ChannelCredentialsService } from '../channel-credentials.service.js';
import {
  ChannelPipelineService,
  PROVIDER_REPORT_RETRY_MS,
  type StatusUpdate,
} from '../channel-pipeline.service.js';
import type { ChannelRow } from '../channels.repository.js';
import { InboundChannelCache } from '../inbound-channel-cache.js';
import { InboundWorkService } from '../inbound-work.service.js';
import { twilioAccount, type TwilioAccount } from './twilio-sms.account.js';
import { statusUpdateFor } from './twilio-sms.errors.js';
import { field, formParams, inboundParts, type TwilioParams } from './twilio-sms.inbound.js';
import { TwilioMediaFetcher } from './twilio-sms.media.js';
import { twilioWebhookBase } from './twilio-sms.urls.js';

/** What Twilio is told to do with an incoming message: nothing (agents answer from the inbox). */
export const EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>';

type InboundChannel = ChannelRow & { tenantStatus: string };

/** The inbound journal's kinds (InboundWorkService): an incoming message, a delivery report. */
const TWILIO_INBOUND = 'twilio_sms.inbound';
const TWILIO_STATUS = 'twilio_sms.status';

/** A sender Twilio gives as a phone number (not a short code or an alphanumeric sender id). */
const E164 = /^\+[1-9]\d{6,14}$/;

/**
 * Twilio's requests to this API: incoming SMS/MMS and delivery reports. Each is verified synchronously (the
 * X-Twilio-Signature, with the Auth Token of the inbox it claims to be for, over the public URL Twilio called),
 * answered at once with empty TwiML, and stored after the answer.
 */
@Injectable()
export class TwilioSmsWebhookService {
  private readonly logger = new Logger('TwilioSmsWebhook');

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly inboundChannels: InboundChannelCache,
    private readonly credentials: ChannelCredentialsService,
    private readonly pipeline: ChannelPipelineService,
    private readonly limiter: RateLimiterService,
    private readonly work: InboundWorkService,
    private readonly media: TwilioMediaFetcher,
  ) {
    work.register(TWILIO_INBOUND, async (channelId, params) => {
      const channel = await this.twilioInbox(channelId);
      if (!channel) return;
      const account = twilioAccount(channel.config, this.credentials.open(channel));
      await this.inTenantOf(channel, () => this.store(channel, account, params as TwilioParams));
    });
    work.register(TWILIO_STATUS, async (channelId, data) => {
      const channel = await this.twilioInbox(channelId);
      if (!channel) return;
      const { sid, update } = data as { sid: string; update: StatusUpdate };
      await this.inTenantOf(channel, () => this.applyStatus(channel, sid, update));
    });
  }

  /** An incoming message, routed by the number it was sent to. `path` is the URL as received (with query). */
  async receive(path: string, signature: string | undefined, body: unknown): Promise<string> {
    const params = formParams(body);
    const to = field(params, 'To');
    const found = to ? await this.inboundChannels.findByExternalId('twilio_sms', to) : undefined;
    const { channel } = await this.verify(found, path, signature, params);
    await this.work.accept(TWILIO_INBOUND, channel.id, params);
    return EMPTY_TWIML;
  }

  /** A StatusCallback for a message this inbox sent; the inbox id is in the callback URL it was given. */
  async status(path: string, signature: string | undefined, inboxId: string, body: unknown): Promise<string> {
    const params = formParams(body);
    const { channel } = await this.verify(await this.inboundChannels.find(inboxId), path, signature, params);
    const sid = field(params, 'MessageSid');
    const update = statusUpdateFor(
      field(params, 'MessageStatus') ?? '',
      field(params, 'ErrorCode') || undefined,
    );
    if (sid && update) await this.work.accept(TWILIO_STATUS, channel.id, { sid, update });
    return EMPTY_TWIML;
  }

  /**
   * An unknown number or inbox, a wrong or missing signature and another account's AccountSid all answer the
   * same 403, and count against the caller's address, so probing for numbers or tokens is cut off early.
   */
  private async verify(
    channel: InboundChannel | undefined,
    path: string,
    signature: string | undefined,
    params: TwilioParams,
  ): Promise<{ channel: InboundChannel; account: TwilioAccount }> {
    const account =
      channel?.type === 'twilio_sms'
        ? twilioAccount(channel.config, this.credentials.open(channel))
        : undefined;
    const url = `${twilioWebhookBase(this.config)}${path}`;
    const valid =
      channel !== undefined &&
      account !== undefined &&
      account.authToken !== '' &&
      signature !== undefined &&
      twilio.validateRequest(account.authToken, signature, url, params) &&
      field(params, 'AccountSid') === account.accountSid;
    if (!valid) {
      await this.limiter.recordFailure(badWebhookIdentity(requestContext.get()?.ip ?? 'unknown'));
      throw forbidden('Missing or invalid X-Twilio-Signature');
    }
    if (!channel.isActive || channel.tenantStatus !== 'ACTIVE') {
      throw forbidden('This inbox is not accepting messages');
    }
    return { channel, account };
  }

  /** The inbox a journaled delivery was for, unless it was deleted (or changed type) since. */
  private async twilioInbox(channelId: string): Promise<InboundChannel | undefined> {
    const channel = await this.inboundChannels.find(channelId);
    if (channel?.type === 'twilio_sms') return channel;
    this.logger.warn(`inbox ${channelId} is gone; a Twilio request for it dropped`);
    return undefined;
  }

  private async store(channel: InboundChannel, account: TwilioAccount, params: TwilioParams): Promise<void> {
    const from = field(params, 'From');
    const parts = inboundParts(params);
    if (!from || !parts.length) {
      this.logger.warn(`Twilio request for inbox ${channel.id} has no sender or nothing to store; skipped`);
      return;
    }
    for (const part of parts) {
      const content =
        part.type === 'text'
          ? { text: part.text }
          : await this.media.content(channel.tenantId, account, part);
      await this.pipeline.ingest({
        channelId: channel.id,
        channelType: 'twilio_sms',
        contact: { identifier: from, ...(E164.test(from) ? { phone: from } : {}) },
        providerMessageId: part.providerMessageId,
        type: part.type,
        content,
      });
    }
  }

  /**
   * A report can overtake the send it is about (Twilio calls back before the worker has stored the SID), so an
   * unknown SID is tried again after PROVIDER_REPORT_RETRY_MS (after the answer to Twilio: this runs deferred). Reports
   * for messages sent outside OrbitDesk (same number, another app) still find nothing; that is fine.
   */
  private async applyStatus(channel: InboundChannel, sid: string, update: StatusUpdate): Promise<void> {
    if (!(await this.pipeline.updateStatusOnceKnown(channel.id, sid, update, PROVIDER_REPORT_RETRY_MS))) {
      this.logger.log(`status ${update.status} for ${sid}, not a message of inbox ${channel.id}; ignored`);
    }
  }

  /** Tenant-scoped work for a verified webhook: the tenant is the one that owns the inbox. */
  private inTenantOf<T>(channel: InboundChannel, fn: () => Promise<T>): Promise<T> {
    const ctx = requestContext.get();
    return requestContext.run({ requestId: ctx?.requestId, ip: ctx?.ip, tenantId: channel.tenantId }, fn);
  }
}
