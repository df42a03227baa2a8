import { Body, Controller, Get, Headers, Param, Post, Query, Req, Res } from '@nestjs/common';
import {
  ZAttachmentDownloadQuery,
  ZIdParams,
  ZLiveChatHistory,
  ZLiveChatHistoryQuery,
  ZLiveChatSendRequest,
  ZLiveChatSendResponse,
  ZLiveChatSession,
  ZLiveChatSessionRequest,
  ZLiveChatUpload,
  type TAttachmentDownloadQuery,
  type TIdParams,
  type TLiveChatHistoryQuery,
  type TLiveChatSendRequest,
  type TLiveChatSessionRequest,
} from '@orbitdesk/shared';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { IncomingHttpHeaders } from 'node:http';
import { Public } from '../../../common/auth/access.decorators.js';
import { Contract } from '../../../common/http/contract.js';
import { WidgetRoute } from './live-chat.http.js';
import { LiveChatMessagesService } from './live-chat-messages.service.js';
import { LiveChatSessionService } from './live-chat-session.service.js';
import { LiveChatVisitorAuth, visitorCredentials } from './live-chat-visitor-auth.service.js';

const TOKEN_ERRORS = {
  401: 'Missing, forged or expired visitor token (X-Widget-Token)',
  403: 'The inbox is disabled, or the page is not on one of its allowedOrigins',
};

/**
 * The widget's API. Public to the auth guard because the caller is a website visitor, not a user or an API key:
 * sessions are opened with the inbox's public website token, everything else carries the signed visitor token.
 */
@Controller('channels/live-chat')
@Public()
export class LiveChatController {
  constructor(
    private readonly sessions: LiveChatSessionService,
    private readonly messages: LiveChatMessagesService,
    private readonly auth: LiveChatVisitorAuth,
  ) {}

  @Post('sessions')
  @WidgetRoute()
  @Contract({
    summary: 'Start or resume a widget visitor session (website token; optional identity verification)',
    tags: ['Live chat'],
    body: ZLiveChatSessionRequest,
    response: ZLiveChatSession,
    status: 200,
    errors: {
      401: 'Unknown website token; invalid visitor token; identifier without a valid identifierHash',
      403: TOKEN_ERRORS[403],
    },
  })
  session(@Headers('origin') origin: string | undefined, @Body() body: TLiveChatSessionRequest) {
    return this.sessions.create(body, origin);
  }

  @Post('message')
  @WidgetRoute()
  @Contract({
    summary: "Send a visitor's message (X-Widget-Token); a repeated clientMessageId is stored once",
    tags: ['Live chat'],
    body: ZLiveChatSendRequest,
    response: ZLiveChatSendResponse,
    status: 200,
    errors: { ...TOKEN_ERRORS, 422: 'Pre-chat form not filled in, or an attachment not uploaded here' },
  })
  async send(@Headers() headers: IncomingHttpHeaders, @Body() body: TLiveChatSendRequest) {
    return this.messages.send(await this.auth.authenticate(visitorCredentials(headers)), body);
  }

  @Get('messages')
  @WidgetRoute()
  @Contract({
    summary: "The visitor's messages, newest page first, each page oldest first (X-Widget-Token)",
    tags: ['Live chat'],
    query: ZLiveChatHistoryQuery,
    response: ZLiveChatHistory,
    errors: TOKEN_ERRORS,
  })
  async history(@Headers() headers: IncomingHttpHeaders, @Query() query: TLiveChatHistoryQuery) {
    return this.messages.historyPage(await this.auth.authenticate(visitorCredentials(headers)), query);
  }

  @Post('attachments')
  @WidgetRoute()
  @Contract({
    summary: 'Upload a file from the widget (multipart, X-Widget-Token); then send it as a message',
    tags: ['Live chat'],
    upload: { field: 'file', description: 'The file to send' },
    response: ZLiveChatUpload,
    status: 201,
    errors: { ...TOKEN_ERRORS, 413: 'The file is larger than ATTACHMENT_MAX_BYTES' },
  })
  async upload(@Req() req: FastifyRequest) {
    const visitor = await this.auth.authenticate(visitorCredentials(req.headers));
    return this.messages.upload(visitor, (options) => req.file(options));
  }

  /** Public: the signed URL is the credential, as on the attachments download route. */
  @Get('files/:id')
  @WidgetRoute()
  @Contract({
    summary: 'A file of a widget message, through its signed link (loadable by pages on any site)',
    tags: ['Live chat'],
    params: ZIdParams,
    query: ZAttachmentDownloadQuery,
    errors: { 403: 'The link is expired, tampered with, or not for this file' },
  })
  async file(
    @Param() { id }: TIdParams,
    @Query() query: TAttachmentDownloadQuery,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const file = await this.messages.file(id, query);
    void reply.headers(file.headers);
    return file.stream;
  }
}
