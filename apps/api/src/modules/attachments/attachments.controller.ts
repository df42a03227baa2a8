import { Controller, Delete, Get, Param, Post, Query, Req, Res } from '@nestjs/common';
import {
  ZAttachment,
  ZAttachmentDownloadQuery,
  ZIdParams,
  ZOkResponse,
  type TAttachmentDownloadQuery,
  type TIdParams,
} from '@orbitdesk/shared';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Public, Roles, Scopes } from '../../common/auth/access.decorators.js';
import { Contract } from '../../common/http/contract.js';
import { AttachmentsService } from './attachments.service.js';

@Controller('attachments')
export class AttachmentsController {
  constructor(private readonly attachments: AttachmentsService) {}

  @Post()
  @Roles('AGENT')
  @Scopes('messages:send')
  @Contract({
    summary: 'Upload a file (multipart/form-data, one file field); answers with a short-lived download URL',
    description:
      'The type is sniffed from the first bytes for images, audio, video and PDF, otherwise taken as declared. ' +
      'Only images, audio, video and PDF are ever shown inline; everything else downloads as an attachment.',
    tags: ['Attachments'],
    upload: { field: 'file', description: 'The file to store' },
    response: ZAttachment,
    status: 201,
    errors: { 413: 'The file is larger than ATTACHMENT_MAX_BYTES (25 MiB by default)' },
  })
  upload(@Req() req: FastifyRequest) {
    return this.attachments.upload((options) => req.file(options));
  }

  @Get(':id')
  @Roles('AGENT')
  @Scopes('messages:read')
  @Contract({
    summary: 'An attachment with a fresh short-lived download URL',
    tags: ['Attachments'],
    params: ZIdParams,
    response: ZAttachment,
  })
  get(@Param() { id }: TIdParams) {
    return this.attachments.get(id);
  }

  @Delete(':id')
  @Roles('ADMIN')
  @Contract({
    summary: 'Delete an attachment and its stored file',
    tags: ['Attachments'],
    params: ZIdParams,
    response: ZOkResponse,
  })
  remove(@Param() { id }: TIdParams) {
    return this.attachments.remove(id);
  }

  /** Public: the signed URL is the credential (checked in the service against the attachment's own tenant). */
  @Get(':id/download')
  @Public()
  @Contract({
    summary: 'Download an attachment through a signed URL (from `url` of the attachment)',
    tags: ['Attachments'],
    params: ZIdParams,
    query: ZAttachmentDownloadQuery,
    errors: { 403: 'The link is expired, tampered with, or not for this attachment' },
  })
  async download(
    @Param() { id }: TIdParams,
    @Query() query: TAttachmentDownloadQuery,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const file = await this.attachments.download(id, query);
    // Set here rather than with @Header, which would also put the cache headers on error answers.
    void reply.headers(file.headers);
    return file.stream;
  }
}
