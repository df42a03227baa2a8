import { Injectable } from '@nestjs/common';
import { and, eq } from 'drizzle-orm';
import type { TenantTx } from '../../db/database.js';
import { conversations } from '../../db/schema/index.js';

@Injectable()
export class RealtimeRepository {
  async conversationExists(tx: TenantTx, tenantId: string, conversationId: string): Promise<boolean> {
    // RLS already hides other tenants' rows; the explicit tenant filter is the first wall.
    const [row] = await tx
      .select({ id: conversations.id })
      .from(conversations)
      .where(and(eq(conversations.tenantId, tenantId), eq(conversations.id, conversationId)))
      .limit(1);
    return row !== undefined;
  }
}
