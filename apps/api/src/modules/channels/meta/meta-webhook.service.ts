import { Injectable, Logger } from '@nestjs/common';
import type { TMetaWebhookHandshakeQuery } from '@orbitdesk/shared';
import { forbidden, unauthorized } from '../../../common/http/errors.js';
import { badWebhookIdentity } from '../../../common/rate-limit/rate-limit.hook.js';
import { RateLimiterService } from '../../../common/rate-limit/rate-limiter.service.js';
import { requestContext } from '../../../common/tenancy/request-context.js';
import { ChannelCredentialsService } from '../channel-credentials.service.js';
import { hashWebhookToken } from '../channel-type.js';
import type { ChannelRow } from '../channels.repository.js';
import { InboundChannelCache } from '../inbound-channel-cache.js';
import { InboundWorkService } from '../inbound-work.service.js';
import { MetaInboundProcessor } from './meta-inbound.processor.js';
import { isMetaChannelType, kindForObject, META_KINDS, type MetaKind } from './meta-kinds.js';
import { ZMetaWebhookEnvelope, type TMetaWebhookEntry } from './meta-webhook.schema.js';
import { signatureDigest, verifyMetaSignature } from './meta-webhook.signature.js';

/**
 * An unverified request can name any number of accounts; only this many are looked up, which bounds the database
 * work a forged request costs. Meta puts the entries of one app's accounts in a batch, far fewer than this.
 */
const MAX_ACCOUNTS_PER_REQUEST = 50;

type InboundChannel = ChannelRow & { tenantStatus: string };

/** The inbound journal's kind for one inbox's entries of a Messenger or Instagram delivery. */
const META_ENTRIES = 'meta.entries';

/**
 * Meta's webhook for Messenger and Instagram. One URL serves every Page and Instagram account of every workspace,
 * so the payload itself says where it goes: `object` picks the channel type, `entry[].id` the inbox. The request
 * counts only when its signature verifies with the app secret of an inbox it routes to, and only the entries of
 * the inboxes whose secret verified are processed (another app's accounts in a forged batch are not).
 */
@Injectable()
export class MetaWebhookService {
  private readonly logger = new Logger('MetaWebhook');

  constructor(
    private readonly inboundChannels: InboundChannelCache,
    private readonly credentials: ChannelCredentialsService,
    private readonly limiter: RateLimiterService,
    private readonly work: InboundWorkService,
    private readonly processor: MetaInboundProcessor,
  ) {
    work.register(META_ENTRIES, async (channelId, entries) => {
      const channel = await this.inboundChannels.find(channelId);
      if (!channel || !isMetaChannelType(channel.type)) {
        this.logger.warn(`inbox ${channelId} is gone; its webhook entries dropped`);
        return;
      }
      const kind = META_KINDS[channel.type];
      await this.inTenantOf(channel, () =>
        this.processor.process(kind, channel, entries as TMetaWebhookEntry[]),
      );
    });
  }

  /** Subscription handshake: the challenge back when the verify token is one of our Meta inboxes'. */
  async handshake(query: TMetaWebhookHandshakeQuery): Promise<string> {
    const channel = await this.inboundChannels.findByWebhookTokenHash(
      hashWebhookToken(query['hub.verify_token']),
    );
    if (query['hub.mode'] !== 'subscribe' || !channel || !isMetaChannelType(channel.type)) {
      await this.countFailure();
      throw forbidden('The verify token does not match any Messenger or Instagram inbox');
    }
    return query['hub.challenge'];
  }

  /** Verifies synchronously, then stores after the answer. */
  async receive(rawBody: Buffer | undefined, signature: string | undefined, body: unknown): Promise<void> {
    const verified = await this.verify(rawBody, signature, body);
    if (!verified) {
      await this.countFailure();
      throw unauthorized('Missing or invalid X-Hub-Signature-256');
    }
    const { kind, inboxes } = verified;
    for (const { channel, entries } of inboxes) {
      if (!channel.isActive || channel.tenantStatus !== 'ACTIVE') {
        this.logger.log(
          `${kind.label} inbox ${channel.id} is not accepting messages; ${entries.length} entries dropped`,
        );
        continue;
      }
      await this.work.accept(META_ENTRIES, channel.id, entries);
    }
  }

  private async verify(
    rawBody: Buffer | undefined,
    signature: string | undefined,
    body: unknown,
  ): Promise<
    { kind: MetaKind; inboxes: { channel: InboundChannel; entries: TMetaWebhookEntry[] }[] } | undefined
  > {
    const digest = signatureDigest(signature);
    const envelope = ZMetaWebhookEnvelope.safeParse(body);
    const kind = envelope.success ? kindForObject(envelope.data.object) : undefined;
    if (!digest || !rawBody || !envelope.success || !kind) return undefined;

    const byAccount = new Map<string, TMetaWebhookEntry[]>();
    for (const entry of envelope.data.entry) {
      const list = byAccount.get(entry.id);
      if (list) list.push(entry);
      else if (byAccount.size < MAX_ACCOUNTS_PER_REQUEST) byAccount.set(entry.id, [entry]);
    }
    const inboxes: { channel: InboundChannel; entries: TMetaWebhookEntry[] }[] = [];
    for (const [accountId, entries] of byAccount) {
      const channel = await this.inboundChannels.findByExternalId(kind.type, accountId);
      if (!channel) continue;
      const appSecret = this.credentials.open(channel).appSecret;
      if (appSecret && verifyMetaSignature(appSecret, rawBody, digest)) inboxes.push({ channel, entries });
    }
    return inboxes.length ? { kind, inboxes } : undefined;
  }

  /** Counted per address, so guessing verify tokens or forging signatures is cut off early. */
  private countFailure(): Promise<void> {
    return this.limiter.recordFailure(badWebhookIdentity(requestContext.get()?.ip ?? 'unknown'));
  }

  private inTenantOf<T>(channel: ChannelRow, fn: () => Promise<T>): Promise<T> {
    const ctx = requestContext.get();
    return requestContext.run({ requestId: ctx?.requestId, ip: ctx?.ip, tenantId: channel.tenantId }, fn);
  }
}
