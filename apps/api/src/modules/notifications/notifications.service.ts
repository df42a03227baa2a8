import { Injectable } from '@nestjs/common';
import type {
  NotificationType,
  TListNotificationsQuery,
  TNotification,
  TNotificationPage,
  TReadAllNotificationsResponse,
} from '@orbitdesk/shared';
import { forbidden, notFound } from '../../common/http/errors.js';
import { decodeCursor, toPage } from '../../common/http/pagination.js';
import { requestContext } from '../../common/tenancy/request-context.js';
import { TenantDb } from '../../common/tenancy/tenant-db.service.js';
import type { TenantTx } from '../../db/database.js';
import { RealtimeService } from '../realtime/realtime.service.js';
import { parseMentions } from './mentions.js';
import { NotificationsRepository, type NotificationRow } from './notifications.repository.js';

export interface NotificationInput {
  userId: string;
  type: NotificationType;
  conversationId: string | null;
  messageId?: string | null;
  payload: Record<string, unknown>;
}

const toDto = (r: NotificationRow): TNotification => ({
  id: r.id,
  type: r.type,
  conversationId: r.conversationId,
  messageId: r.messageId,
  payload: r.payload,
  readAt: r.readAt?.toISOString() ?? null,
  createdAt: r.createdAt.toISOString(),
});

/**
 * Personal notifications. Other modules write them inside their own transaction (`create`), so a notification
 * exists exactly when the change it reports committed, and push them live after the commit (`deliver`).
 */
@Injectable()
export class NotificationsService {
  constructor(
    private readonly tenantDb: TenantDb,
    private readonly repo: NotificationsRepository,
    private readonly realtime: RealtimeService,
  ) {}

  async list(q: TListNotificationsQuery): Promise<TNotificationPage> {
    const userId = currentUserId();
    const cursor = decodeCursor(q.cursor);
    const rows = await this.tenantDb.run((tx) =>
      this.repo.list(tx, userId, { unread: q.unread, cursor, limit: q.limit }),
    );
    return toPage(rows, q.limit, toDto);
  }

  /** Someone else's notification answers 404, like a missing one. */
  async markRead(id: string): Promise<TNotification> {
    const userId = currentUserId();
    const row = await this.tenantDb.run((tx) => this.repo.markRead(tx, userId, id));
    if (!row) throw notFound('Notification');
    return toDto(row);
  }

  async markAllRead(): Promise<TReadAllNotificationsResponse> {
    const userId = currentUserId();
    const updated = await this.tenantDb.run((tx) => this.repo.markAllRead(tx, userId));
    return { updated };
  }

  /** Stores notifications in the caller's transaction; hand the result to `deliver` once it has committed. */
  create(tx: TenantTx, tenantId: string, inputs: NotificationInput[]): Promise<NotificationRow[]> {
    return this.repo.insertMany(
      tx,
      inputs.map((n) => ({
        tenantId,
        userId: n.userId,
        type: n.type,
        conversationId: n.conversationId,
        messageId: n.messageId ?? null,
        payload: n.payload,
      })),
    );
  }

  /** Pushes committed notifications to their users' sockets (on every API process). */
  deliver(tenantId: string, rows: NotificationRow[]): void {
    for (const row of rows) this.realtime.notifyUser(tenantId, row.userId, toDto(row));
  }

  /** The active users of this tenant that `text` mentions (see mentions.ts); anything else is ignored. */
  async resolveMentions(tx: TenantTx, text: string): Promise<string[]> {
    const { userIds, emails } = parseMentions(text);
    return this.repo.activeUserIds(tx, userIds, emails);
  }
}

/** Notifications belong to a person; the routes admit signed-in users only, never API keys. */
function currentUserId(): string {
  const principal = requestContext.get()?.principal;
  if (principal?.kind !== 'user') throw forbidden('Notifications belong to a signed-in user');
  return principal.userId;
}
