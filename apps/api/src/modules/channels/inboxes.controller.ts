import { Controller, Get } from '@nestjs/common';
import { ZInboxSummaryList, type TInboxSummaryList } from '@orbitdesk/shared';
import { Roles, Scopes } from '../../common/auth/access.decorators.js';
import { Contract } from '../../common/http/contract.js';
import { ChannelsService } from './channels.service.js';

/**
 * The inboxes as every user of the workspace sees them: names and types for the inbox's filters and labels.
 * Administration (config, credentials, webhook URLs) stays under /channels, for admins.
 */
@Controller('inboxes')
@Roles('AGENT')
export class InboxesController {
  constructor(private readonly channels: ChannelsService) {}

  @Get()
  @Scopes('conversations:read')
  @Contract({
    summary: 'The inboxes of the workspace: id, type, name, active (any user)',
    tags: ['Channels'],
    response: ZInboxSummaryList,
  })
  async list(): Promise<TInboxSummaryList> {
    const { items } = await this.channels.list();
    return { items: items.map(({ id, type, name, isActive }) => ({ id, type, name, isActive })) };
  }
}
