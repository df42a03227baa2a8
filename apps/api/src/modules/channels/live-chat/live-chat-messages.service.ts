import { Injectable, Logger } from '@nestjs/common';
import type {
  NormalizedMessage,
  TAttachmentDownloadQuery,
  TLiveChatHistory,
  TLiveChatHistoryQuery,
  TLiveChatSendRequest,
  TLiveChatSendResponse,
  TLiveChatUpload,
} from '@orbitdesk/shared';
import { z } from 'zod';
import { DomainEvents } from '../../../common/events/domain-events.js';
import { tooManyRequests, unprocessable } from '../../../common/http/errors.js';
import { RateLimiterService } from '../../../common/rate-limit/rate-limiter.service.js';
import { RedisService } from '../../../common/redis/redis.module.js';
import { requestContext } from '../../../common/tenancy/request-context.js';
import { TenantDb } from '../../../common/tenancy/tenant-db.service.js';
import { isUniqueViolation } from '../../../db/query-helpers.js';
import type { MultipartReader } from '../../../common/http/multipart.js';
import { AttachmentsService, type AttachmentDownload } from '../../attachments/attachments.service.js';
import { toContactDto } from '../../contacts/contact-dto.js';
import { ChannelPipelineService } from '../channel-pipeline.service.js';
import { LiveChatEmitter } from './live-chat.emitter.js';
import { LiveChatRepository } from './live-chat.repository.js';
import { LiveChatFileLinks, visitorProviderId } from './live-chat.visitor-message.js';
import { LiveChatHistoryService } from './live-chat-history.service.js';
import type { Visitor } from './live-chat-visitor-auth.service.js';

/** Per visitor and rate window (RATE_LIMIT_WINDOW_SECONDS): people type slower than this. */
const MESSAGES_PER_WINDOW = 60;
const UPLOADS_PER_WINDOW = 20;
/** An upload must be sent as a message within this time, by the visitor who uploaded it. */
const UPLOAD_CLAIM_TTL_SECONDS = 24 * 3600;

const ZUploadClaim = z.object({
  tenantId: z.string(),
  inboxId: z.string(),
  visitorId: z.string(),
  fileName: z.string(),
  contentType: z.string(),
  messageType: z.enum(['image', 'video', 'audio', 'document']),
});
type UploadClaim = z.infer<typeof ZUploadClaim>;

/** SVG runs script, so it travels as a document, like everything the agents' inbox does not show inline. */
const messageTypeFor = (contentType: string): UploadClaim['messageType'] =>
  contentType === 'image/svg+xml'
    ? 'document'
    : contentType.startsWith('image/')
      ? 'image'
      : contentType.startsWith('video/')
        ? 'video'
        : contentType.startsWith('audio/')
          ? 'audio'
          : 'document';

/** What a verified visitor does over HTTP: send, upload, read their history. */
@Injectable()
export class LiveChatMessagesService {
  private readonly logger = new Logger('LiveChat');

  constructor(
    private readonly pipeline: ChannelPipelineService,
    private readonly tenantDb: TenantDb,
    private readonly repo: LiveChatRepository,
    private readonly history: LiveChatHistoryService,
    private readonly links: LiveChatFileLinks,
    private readonly emitter: LiveChatEmitter,
    private readonly attachments: AttachmentsService,
    private readonly limiter: RateLimiterService,
    private readonly redis: RedisService,
    private readonly events: DomainEvents,
  ) {}

  /**
   * Stored before the answer, in one round trip: the widget learns at once whether its message is safe, and a
   * failed POST is simply retried with the same clientMessageId (stored once).
   */
  async send(visitor: Visitor, input: TLiveChatSendRequest): Promise<TLiveChatSendResponse> {
    const { channel, config, claims } = visitor;
    await this.limit(`widget:msg:${channel.id}:${claims.visitorId}`, MESSAGES_PER_WINDOW);
    if (config.preChatForm && (!claims.name || !claims.email)) {
      throw unprocessable('Fill in the pre-chat form first: start the session with name and email');
    }
    const { type, content } = input.type === 'text' ? input : await this.fileMessage(visitor, input);
    const normalized: NormalizedMessage = {
      channelId: channel.id,
      channelType: 'live_chat',
      contact: { identifier: claims.visitorId, ...(claims.name ? { name: claims.name } : {}) },
      ...(input.clientMessageId
        ? { providerMessageId: visitorProviderId(claims.visitorId, input.clientMessageId) }
        : {}),
      type,
      content,
    };
    return this.inTenantOf(visitor, async () => {
      const result = await this.pipeline.ingest(normalized);
      const message = this.links.toVisitorMessage(channel.tenantId, result.message);
      if (!result.duplicate) {
        if (claims.email) await this.adoptEmail(result.conversation.contactId, claims.email);
        // The visitor's other tabs show it too.
        this.emitter.toVisitors([this.key(visitor)], 'message', message);
      }
      return { message, duplicate: result.duplicate };
    });
  }

  historyPage(visitor: Visitor, q: TLiveChatHistoryQuery): Promise<TLiveChatHistory> {
    return this.inTenantOf(visitor, () => this.history.page(visitor.channel.id, visitor.claims.visitorId, q));
  }

  /**
   * Stored like an agent's upload (same size limit and type sniffing), then claimed for this visitor: only the
   * visitor who uploaded a file can send it, so an attachment id seen elsewhere cannot be pulled into a chat.
   */
  async upload(visitor: Visitor, readFile: MultipartReader): Promise<TLiveChatUpload> {
    await this.limit(`widget:upload:${visitor.channel.id}:${visitor.claims.visitorId}`, UPLOADS_PER_WINDOW);
    const stored = await this.inTenantOf(visitor, () => this.attachments.upload(readFile));
    const claim: UploadClaim = {
      ...this.key(visitor),
      fileName: stored.fileName,
      contentType: stored.contentType,
      messageType: messageTypeFor(stored.contentType),
    };
    await this.redis.client.set(
      `widget:upload:${stored.id}`,
      JSON.stringify(claim),
      'EX',
      UPLOAD_CLAIM_TTL_SECONDS,
    );
    return {
      attachmentId: stored.id,
      fileName: stored.fileName,
      contentType: stored.contentType,
      size: stored.size,
      messageType: claim.messageType,
    };
  }

  /**
   * A signed file link (from a message's `url`), served so that pages on other sites may show it: the signature
   * is the credential, checked exactly as on the attachments download route.
   */
  async file(id: string, query: TAttachmentDownloadQuery): Promise<AttachmentDownload> {
    const file = await this.attachments.download(id, query);
    return { ...file, headers: { ...file.headers, 'cross-origin-resource-policy': 'cross-origin' } };
  }

  private async fileMessage(visitor: Visitor, input: TLiveChatSendRequest) {
    const attachmentId = String(input.content.attachmentId);
    const raw = await this.redis.client.get(`widget:upload:${attachmentId}`);
    const parsed = raw ? ZUploadClaim.safeParse(JSON.parse(raw)) : undefined;
    const claim = parsed?.success ? parsed.data : undefined;
    const own = this.key(visitor);
    if (
      !claim ||
      claim.tenantId !== own.tenantId ||
      claim.inboxId !== own.inboxId ||
      claim.visitorId !== own.visitorId
    ) {
      throw unprocessable(
        'Unknown attachmentId: upload the file in this chat first (it is kept for 24 hours)',
      );
    }
    if (claim.messageType !== input.type) {
      throw unprocessable(`The file is ${claim.contentType}: send it as type "${claim.messageType}"`);
    }
    const caption = typeof input.content.caption === 'string' ? input.content.caption : undefined;
    return {
      type: claim.messageType,
      content: {
        attachmentId,
        filename: claim.fileName,
        mimeType: claim.contentType,
        ...(caption ? { caption } : {}),
      },
    };
  }

  /**
   * The pre-chat email becomes the contact's when it has none and no other contact has it: the email is
   * unverified, so it never merges the visitor into someone else's contact (and conversations).
   */
  private async adoptEmail(contactId: string, email: string): Promise<void> {
    try {
      const contact = await this.tenantDb.run(async (tx) => {
        const row = await this.repo.setEmailIfMissing(tx, contactId, email);
        return row ? toContactDto(row, await this.repo.identitiesOf(tx, contactId)) : undefined;
      });
      if (contact) {
        this.events.publish('contact.updated', { tenantId: requestContext.tenantId(), contact });
      }
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
      this.logger.debug(`visitor email already belongs to another contact; contact ${contactId} keeps none`);
    }
  }

  private async limit(identity: string, max: number): Promise<void> {
    const result = await this.limiter.hit(identity, undefined, max);
    if (result && !result.allowed) {
      throw tooManyRequests(
        `Too many requests from this chat; retry in ${result.resetSeconds}s`,
        result.resetSeconds,
      );
    }
  }

  private key({ channel, claims }: Visitor) {
    return { tenantId: channel.tenantId, inboxId: channel.id, visitorId: claims.visitorId };
  }

  private inTenantOf<T>({ channel }: Visitor, fn: () => Promise<T>): Promise<T> {
    return requestContext.run({ ...requestContext.get(), tenantId: channel.tenantId }, fn);
  }
}
