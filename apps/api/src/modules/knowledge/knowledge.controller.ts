import { Body, Controller, Delete, Get, Param, Patch, Post, Query, Req } from '@nestjs/common';
import {
  ZCreateKnowledgeBaseRequest,
  ZCreateKnowledgeSourceRequest,
  ZIdParams,
  ZKnowledgeBase,
  ZKnowledgeBaseList,
  ZKnowledgeSearchRequest,
  ZKnowledgeSearchResponse,
  ZKnowledgeSource,
  ZKnowledgeSourcePage,
  ZListKnowledgeSourcesQuery,
  ZUpdateKnowledgeBaseRequest,
  type TCreateKnowledgeBaseRequest,
  type TCreateKnowledgeSourceRequest,
  type TCursorQuery,
  type TIdParams,
  type TKnowledgeSearchRequest,
  type TUpdateKnowledgeBaseRequest,
} from '@orbitdesk/shared';
import type { FastifyRequest } from 'fastify';
import { Roles } from '../../common/auth/access.decorators.js';
import { Contract } from '../../common/http/contract.js';
import { ZKnowledgeSourceParams, type TKnowledgeSourceParams } from './knowledge-dto.js';
import { KnowledgeSourcesService } from './knowledge-sources.service.js';
import { KnowledgeService } from './knowledge.service.js';

const TAGS = ['Knowledge'];
const NAME_TAKEN = { 409: 'Another knowledge base of the workspace has this name' };

/** Reads for every member of the workspace; changes for admins. */
@Controller('knowledge-bases')
@Roles('ADMIN')
export class KnowledgeController {
  constructor(
    private readonly bases: KnowledgeService,
    private readonly sources: KnowledgeSourcesService,
  ) {}

  @Get()
  @Roles('AGENT')
  @Contract({
    summary: 'List the knowledge bases of the workspace',
    tags: TAGS,
    response: ZKnowledgeBaseList,
  })
  list() {
    return this.bases.list();
  }

  @Post()
  @Contract({
    summary: "Create a knowledge base (its embedding model is the workspace's at this moment, for good)",
    tags: TAGS,
    body: ZCreateKnowledgeBaseRequest,
    response: ZKnowledgeBase,
    status: 201,
    errors: NAME_TAKEN,
  })
  create(@Body() body: TCreateKnowledgeBaseRequest) {
    return this.bases.create(body);
  }

  @Get(':id')
  @Roles('AGENT')
  @Contract({ summary: 'One knowledge base', tags: TAGS, params: ZIdParams, response: ZKnowledgeBase })
  get(@Param() { id }: TIdParams) {
    return this.bases.get(id);
  }

  @Patch(':id')
  @Contract({
    summary: 'Rename or describe a knowledge base',
    tags: TAGS,
    params: ZIdParams,
    body: ZUpdateKnowledgeBaseRequest,
    response: ZKnowledgeBase,
    errors: NAME_TAKEN,
  })
  update(@Param() { id }: TIdParams, @Body() body: TUpdateKnowledgeBaseRequest) {
    return this.bases.update(id, body);
  }

  @Delete(':id')
  @Contract({
    summary: 'Delete a knowledge base with its sources, chunks and stored files',
    tags: TAGS,
    params: ZIdParams,
    response: ZKnowledgeBase,
  })
  remove(@Param() { id }: TIdParams) {
    return this.bases.remove(id);
  }

  @Post(':id/reindex')
  @Contract({
    summary: 'Re-index every source of a knowledge base (files and texts from storage, URLs fetched again)',
    tags: TAGS,
    params: ZIdParams,
    response: ZKnowledgeBase,
    status: 202,
  })
  reindexAll(@Param() { id }: TIdParams) {
    return this.sources.reindexAll(id);
  }

  @Post(':id/search')
  @Roles('AGENT')
  @Contract({
    summary: 'Hybrid search (full text + vectors, fused by reciprocal rank) over a knowledge base',
    tags: TAGS,
    params: ZIdParams,
    body: ZKnowledgeSearchRequest,
    response: ZKnowledgeSearchResponse,
    status: 200,
  })
  search(@Param() { id }: TIdParams, @Body() body: TKnowledgeSearchRequest) {
    return this.bases.search(id, body);
  }

  @Get(':id/sources')
  @Roles('AGENT')
  @Contract({
    summary: 'The sources of a knowledge base, newest first',
    tags: TAGS,
    params: ZIdParams,
    query: ZListKnowledgeSourcesQuery,
    response: ZKnowledgeSourcePage,
  })
  listSources(@Param() { id }: TIdParams, @Query() query: TCursorQuery) {
    return this.sources.list(id, query);
  }

  @Post(':id/sources')
  @Contract({
    summary: 'Add a text or a URL to a knowledge base; indexed in the background',
    description: 'Poll GET /knowledge-bases/{id}/sources/{sourceId} for status and progress.',
    tags: TAGS,
    params: ZIdParams,
    body: ZCreateKnowledgeSourceRequest,
    response: ZKnowledgeSource,
    status: 201,
    errors: { 400: 'The URL points at a private or loopback address (unless allowed by the operator)' },
  })
  createSource(@Param() { id }: TIdParams, @Body() body: TCreateKnowledgeSourceRequest) {
    return this.sources.create(id, body);
  }

  @Post(':id/sources/upload')
  @Contract({
    summary: 'Upload a PDF, DOCX, TXT or CSV file to a knowledge base (multipart field "file")',
    description:
      'The type is taken from the extension and must match the content. Indexed in the background.',
    tags: TAGS,
    params: ZIdParams,
    upload: { field: 'file', description: 'A .pdf, .docx, .txt or .csv file of at most 20 MiB' },
    response: ZKnowledgeSource,
    status: 201,
    errors: {
      413: 'The file is larger than 20 MiB',
      415: 'Not a PDF, DOCX, TXT or CSV file, or the content does not match the extension',
    },
  })
  upload(@Param() { id }: TIdParams, @Req() req: FastifyRequest) {
    return this.sources.upload(id, (options) => req.file(options));
  }

  @Get(':id/sources/:sourceId')
  @Roles('AGENT')
  @Contract({
    summary: 'One source with its status, progress, chunk count and error',
    tags: TAGS,
    params: ZKnowledgeSourceParams,
    response: ZKnowledgeSource,
  })
  getSource(@Param() { id, sourceId }: TKnowledgeSourceParams) {
    return this.sources.get(id, sourceId);
  }

  @Post(':id/sources/:sourceId/reindex')
  @Contract({
    summary: 'Re-index one source (a file or text from storage, a URL fetched again)',
    tags: TAGS,
    params: ZKnowledgeSourceParams,
    response: ZKnowledgeSource,
    status: 202,
  })
  reindex(@Param() { id, sourceId }: TKnowledgeSourceParams) {
    return this.sources.reindex(id, sourceId);
  }

  @Delete(':id/sources/:sourceId')
  @Contract({
    summary: 'Delete a source with its chunks',
    tags: TAGS,
    params: ZKnowledgeSourceParams,
    response: ZKnowledgeSource,
  })
  removeSource(@Param() { id, sourceId }: TKnowledgeSourceParams) {
    return this.sources.remove(id, sourceId);
  }
}
