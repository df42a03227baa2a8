import { Injectable } from '@nestjs/common';
import type { IncomingHttpHeaders } from 'node:http';
import { forbidden, unauthorized } from '../../../common/http/errors.js';
import { badWebhookIdentity } from '../../../common/rate-limit/rate-limit.hook.js';
import { RateLimiterService } from '../../../common/rate-limit/rate-limiter.service.js';
import { requestContext } from '../../../common/tenancy/request-context.js';
import type { ChannelRow } from '../channels.repository.js';
import { InboundChannelCache } from '../inbound-channel-cache.js';
import { liveChatConfig, originAllowed, type LiveChatConfig } from './live-chat.config.js';
import { VisitorTokenService, type VisitorClaims } from './visitor-token.service.js';

/** What a request or socket proved: a visitor of an active live-chat inbox, from an allowed site. */
export interface Visitor {
  channel: ChannelRow;
  config: LiveChatConfig;
  claims: VisitorClaims & { expiresAt: number };
}

/** The visitor token and Origin of a widget request. */
export interface VisitorCredentials {
  token: string | undefined;
  origin: string | undefined;
}

/** `X-Widget-Token: <token>`, else `Authorization: Bearer <token>`. */
export function visitorCredentials(headers: IncomingHttpHeaders): VisitorCredentials {
  const header = headers['x-widget-token'];
  const bearer = headers.authorization?.match(/^Bearer\s+(\S+)$/)?.[1];
  return {
    token: typeof header === 'string' && header ? header : bearer,
    origin: typeof headers.origin === 'string' ? headers.origin : undefined,
  };
}

/** Authenticates visitors (HTTP and the /widget handshake) and checks the inbox they belong to. */
@Injectable()
export class LiveChatVisitorAuth {
  constructor(
    private readonly tokens: VisitorTokenService,
    private readonly inboundChannels: InboundChannelCache,
    private readonly limiter: RateLimiterService,
  ) {}

  /**
   * A forged, expired or malformed token, or one whose inbox is gone or belongs to another tenant, answers the
   * same 401 and counts against the caller's address, like a wrong webhook secret.
   */
  async authenticate({ token, origin }: VisitorCredentials, ip?: string | null): Promise<Visitor> {
    if (!token) throw unauthorized('Missing visitor token: send X-Widget-Token (from POST …/sessions)');
    const claims = await this.tokens.verify(token);
    const channel = claims ? await this.inboundChannels.find(claims.inboxId) : undefined;
    if (!claims || !channel || channel.type !== 'live_chat' || channel.tenantId !== claims.tenantId) {
      await this.recordFailure(ip);
      throw unauthorized('The visitor token is invalid or expired: start a new session');
    }
    return { channel, config: this.checkInbox(channel, origin), claims };
  }

  /** The inbox accepts visitors (enabled, workspace active) from this page's origin; its config otherwise. */
  checkInbox(channel: ChannelRow & { tenantStatus?: string }, origin: string | undefined): LiveChatConfig {
    if (!channel.isActive || (channel.tenantStatus !== undefined && channel.tenantStatus !== 'ACTIVE')) {
      throw forbidden('This chat is not available');
    }
    const config = liveChatConfig(channel.config);
    if (!originAllowed(config, origin)) {
      throw forbidden(`This chat cannot be used from ${origin ?? 'a page without an Origin'}`);
    }
    return config;
  }

  async recordFailure(ip?: string | null): Promise<void> {
    await this.limiter.recordFailure(badWebhookIdentity(ip ?? requestContext.get()?.ip ?? 'unknown'));
  }
}
