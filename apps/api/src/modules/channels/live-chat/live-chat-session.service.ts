import { Injectable } from '@nestjs/common';
import type { TLiveChatSession, TLiveChatSessionRequest } from '@orbitdesk/shared';
import { randomUUID } from 'node:crypto';
import { unauthorized } from '../../../common/http/errors.js';
import { requestContext } from '../../../common/tenancy/request-context.js';
import { ChannelCredentialsService } from '../channel-credentials.service.js';
import { InboundChannelCache } from '../inbound-channel-cache.js';
import { identifierHashMatches } from './live-chat.config.js';
import { LiveChatHistoryService } from './live-chat-history.service.js';
import { LiveChatVisitorAuth } from './live-chat-visitor-auth.service.js';
import { VisitorTokenService, type VisitorClaims } from './visitor-token.service.js';

/** The contact identifier of a signed-in user of the host site: the same on every device. */
const verifiedVisitorId = (identifier: string) => `user:${identifier}`;

/** Starts and resumes widget sessions: who the visitor is, signed into a token the widget keeps. */
@Injectable()
export class LiveChatSessionService {
  constructor(
    private readonly inboundChannels: InboundChannelCache,
    private readonly credentials: ChannelCredentialsService,
    private readonly tokens: VisitorTokenService,
    private readonly auth: LiveChatVisitorAuth,
    private readonly history: LiveChatHistoryService,
  ) {}

  async create(input: TLiveChatSessionRequest, origin: string | undefined): Promise<TLiveChatSession> {
    const channel = await this.inboundChannels.findByExternalId('live_chat', input.websiteToken);
    if (!channel) {
      await this.auth.recordFailure();
      throw unauthorized('Unknown website token: copy the snippet from the inbox again');
    }
    const config = this.auth.checkInbox(channel, origin);

    let previous: VisitorClaims | undefined;
    if (input.visitorToken) {
      const claims = await this.tokens.verify(input.visitorToken);
      // Another inbox's (or workspace's) visitor never continues here: the widget drops the token and starts over.
      if (!claims || claims.inboxId !== channel.id || claims.tenantId !== channel.tenantId) {
        await this.auth.recordFailure();
        throw unauthorized('The visitor token is invalid or expired: start a new session without it');
      }
      previous = claims;
    }

    const verified = await this.verifiedIdentifier(input, config.identityVerification, channel);
    // A signed-in user's session continues only while the page still vouches for them: a page that stops
    // passing the identifier (signed out, another person on a shared computer) gets an anonymous visitor.
    if (previous?.verified && verified === undefined) previous = undefined;
    const visitorId = verified ? verifiedVisitorId(verified) : (previous?.visitorId ?? randomUUID());
    const carried = previous?.visitorId === visitorId ? previous : undefined;
    const claims: VisitorClaims = {
      tenantId: channel.tenantId,
      inboxId: channel.id,
      visitorId,
      name: input.name ?? carried?.name,
      email: input.email?.toLowerCase() ?? carried?.email,
      verified: verified !== undefined,
    };
    const { token, expiresAt } = await this.tokens.sign(claims);
    const ctx = requestContext.get();
    const recent = await requestContext.run({ ...ctx, tenantId: channel.tenantId }, () =>
      this.history.latest(channel.id, visitorId),
    );
    return {
      visitorToken: token,
      expiresAt: expiresAt.toISOString(),
      visitor: {
        id: visitorId,
        name: claims.name ?? null,
        email: claims.email ?? null,
        verified: claims.verified,
      },
      config: {
        title: config.title,
        color: config.color,
        welcomeMessage: config.welcomeMessage ?? null,
        preChatForm: config.preChatForm,
      },
      conversation: recent.conversation,
      messages: recent.items,
      hasMore: recent.hasMore,
    };
  }

  /**
   * The host site's identifier, when its HMAC proves the host's server vouched for it. A wrong hash is refused;
   * so is a bare identifier when the inbox requires verification. Without verification required, a bare
   * identifier is ignored: anyone could type any user id, so it must never lead to that user's conversation.
   */
  private async verifiedIdentifier(
    input: TLiveChatSessionRequest,
    required: boolean,
    channel: Parameters<ChannelCredentialsService['open']>[0],
  ): Promise<string | undefined> {
    if (input.identifier === undefined) return undefined;
    if (input.identifierHash === undefined) {
      if (required) throw unauthorized('This chat verifies identities: identifier needs its identifierHash');
      return undefined;
    }
    const secret = this.credentials.open(channel).identitySecret;
    if (!secret || !identifierHashMatches(secret, input.identifier, input.identifierHash)) {
      await this.auth.recordFailure();
      throw unauthorized('identifierHash does not match identifier');
    }
    return input.identifier;
  }
}
