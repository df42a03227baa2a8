import {
  Body,
  Controller,
  Delete,
  Get,
  Param,
  Patch,
  Post,
  Query,
  Req,
  StreamableFile,
} from '@nestjs/common';
import {
  ZContact,
  ZContactImport,
  ZContactPage,
  ZCreateContactRequest,
  ZExportContactsQuery,
  ZIdParams,
  ZImportContactsQuery,
  ZListContactsQuery,
  ZMergeContactRequest,
  ZOkResponse,
  ZUpdateContactRequest,
  type TCreateContactRequest,
  type TExportContactsQuery,
  type TIdParams,
  type TImportContactsQuery,
  type TListContactsQuery,
  type TMergeContactRequest,
  type TUpdateContactRequest,
} from '@orbitdesk/shared';
import type { FastifyRequest } from 'fastify';
import { Roles, Scopes } from '../../common/auth/access.decorators.js';
import { Contract } from '../../common/http/contract.js';
import { ContactImportService } from './contact-import.service.js';
import { ContactsService } from './contacts.service.js';

@Controller('contacts')
@Roles('AGENT')
export class ContactsController {
  constructor(
    private readonly contacts: ContactsService,
    private readonly imports: ContactImportService,
  ) {}

  @Get()
  @Scopes('contacts:read')
  @Contract({
    summary: 'List contacts: search, tag filter, newest first or by name',
    tags: ['Contacts'],
    query: ZListContactsQuery,
    response: ZContactPage,
  })
  list(@Query() query: TListContactsQuery) {
    return this.contacts.list(query);
  }

  @Get('export')
  @Scopes('contacts:read')
  @Contract({
    summary:
      'All contacts matching the filters as CSV (columns phone,name,email,tags,opted_in, then custom fields)',
    tags: ['Contacts'],
    query: ZExportContactsQuery,
  })
  async export(@Query() query: TExportContactsQuery) {
    return new StreamableFile(await this.contacts.exportCsv(query), {
      type: 'text/csv; charset=utf-8',
      disposition: 'attachment; filename="contacts.csv"',
    });
  }

  @Post('import')
  @Scopes('contacts:write')
  @Contract({
    summary: 'Import contacts from a CSV file (multipart field "file"); runs in the background',
    description:
      'Columns phone, name, email, tags (separated by ; or ,), opted_in; any other column becomes a custom field. ' +
      'Rows are upserted by phone, else by email. Poll GET /contacts/imports/{id} for progress and row errors.',
    tags: ['Contacts'],
    query: ZImportContactsQuery,
    upload: { field: 'file', description: 'CSV file, UTF-8, with a header row' },
    response: ZContactImport,
    status: 202,
    errors: { 413: 'The file is larger than 50 MB' },
  })
  import(@Req() req: FastifyRequest, @Query() query: TImportContactsQuery) {
    return this.imports.start(() => req.file(), query);
  }

  @Get('imports/:id')
  @Scopes('contacts:read')
  @Contract({
    summary: 'Progress and row errors of a contact import',
    tags: ['Contacts'],
    params: ZIdParams,
    response: ZContactImport,
  })
  importStatus(@Param() { id }: TIdParams) {
    return this.imports.status(id);
  }

  @Get(':id')
  @Scopes('contacts:read')
  @Contract({ summary: 'Get one contact', tags: ['Contacts'], params: ZIdParams, response: ZContact })
  get(@Param() { id }: TIdParams) {
    return this.contacts.get(id);
  }

  @Post()
  @Scopes('contacts:write')
  @Contract({
    summary: 'Create a contact',
    tags: ['Contacts'],
    body: ZCreateContactRequest,
    response: ZContact,
    status: 201,
    errors: { 409: 'The phone, email or an identity belongs to another contact' },
  })
  create(@Body() body: TCreateContactRequest) {
    return this.contacts.create(body);
  }

  @Patch(':id')
  @Scopes('contacts:write')
  @Contract({
    summary: 'Change a contact (null clears a field; identities and tags replace the lists)',
    tags: ['Contacts'],
    params: ZIdParams,
    body: ZUpdateContactRequest,
    response: ZContact,
    errors: { 409: 'The phone, email or an identity belongs to another contact' },
  })
  update(@Param() { id }: TIdParams, @Body() body: TUpdateContactRequest) {
    return this.contacts.update(id, body);
  }

  @Delete(':id')
  @Scopes('contacts:write')
  @Contract({ summary: 'Delete a contact', tags: ['Contacts'], params: ZIdParams, response: ZOkResponse })
  remove(@Param() { id }: TIdParams) {
    return this.contacts.remove(id);
  }

  @Post(':id/merge')
  @Scopes('contacts:write')
  @Contract({
    summary: 'Merge another contact into this one (identities, tags, fields, conversations), then delete it',
    tags: ['Contacts'],
    params: ZIdParams,
    body: ZMergeContactRequest,
    response: ZContact,
    status: 200,
  })
  merge(@Param() { id }: TIdParams, @Body() body: TMergeContactRequest) {
    return this.contacts.merge(id, body.sourceId);
  }
}
