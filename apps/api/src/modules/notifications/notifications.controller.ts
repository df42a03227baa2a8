import { Controller, Get, Param, Post, Query } from '@nestjs/common';
import {
  ZIdParams,
  ZListNotificationsQuery,
  ZNotification,
  ZNotificationPage,
  ZReadAllNotificationsResponse,
  type TIdParams,
  type TListNotificationsQuery,
} from '@orbitdesk/shared';
import { Roles } from '../../common/auth/access.decorators.js';
import { Contract } from '../../common/http/contract.js';
import { NotificationsService } from './notifications.service.js';

/** The caller's own notifications. No @Scopes: API keys act for no one and have none. */
@Controller('notifications')
@Roles('AGENT')
export class NotificationsController {
  constructor(private readonly notifications: NotificationsService) {}

  @Get()
  @Contract({
    summary: 'My notifications (mentions, assignments), newest first',
    description:
      'Each is also pushed live as the Socket.IO `notification` event, in this shape. Mentions come from private ' +
      'notes whose text names a colleague as `@[Display Name](user:<user id>)` (what the mention picker inserts) ' +
      "or `@<email>` (e.g. `@ada@example.com`); the resolved ids are stored in the note's `content.mentions`, " +
      'and mentions of anyone who is not an active user of the workspace are ignored.',
    tags: ['Notifications'],
    query: ZListNotificationsQuery,
    response: ZNotificationPage,
  })
  list(@Query() query: TListNotificationsQuery) {
    return this.notifications.list(query);
  }

  @Post('read-all')
  @Contract({
    summary: 'Mark all my notifications read',
    tags: ['Notifications'],
    response: ZReadAllNotificationsResponse,
    status: 200,
  })
  readAll() {
    return this.notifications.markAllRead();
  }

  @Post(':id/read')
  @Contract({
    summary: 'Mark one of my notifications read',
    tags: ['Notifications'],
    params: ZIdParams,
    response: ZNotification,
    status: 200,
  })
  read(@Param() { id }: TIdParams) {
    return this.notifications.markRead(id);
  }
}
