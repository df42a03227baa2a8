import { Injectable } from '@nestjs/common';
import { and, desc, eq, sql } from 'drizzle-orm';
import type { TenantTx } from '../../../db/database.js';
import { channels, conversations, flows } from '../../../db/schema/index.js';

export interface ToolFlow {
  id: string;
  name: string;
  status: string;
  publishedVersionId: string | null;
}

/** Reads the tools need beyond what the inbox's services offer. */
@Injectable()
export class AiToolsRepository {
  /** The conversation, only if it is this contact's. */
  async conversationOf(tx: TenantTx, conversationId: string, contactId: string) {
    const [row] = await tx
      .select()
      .from(conversations)
      .where(and(eq(conversations.id, conversationId), eq(conversations.contactId, contactId)));
    return row;
  }

  recentConversations(tx: TenantTx, contactId: string, limit: number) {
    return tx
      .select({
        number: conversations.number,
        status: conversations.status,
        channelType: channels.type,
        lastMessagePreview: conversations.lastMessagePreview,
        lastMessageAt: conversations.lastMessageAt,
      })
      .from(conversations)
      .innerJoin(channels, eq(channels.id, conversations.channelId))
      .where(eq(conversations.contactId, contactId))
      .orderBy(desc(conversations.lastMessageAt), desc(conversations.id))
      .limit(limit);
  }

  /** A flow by id, or by name (case-insensitive), the ACTIVE one first when several share it. */
  async findFlow(tx: TenantTx, by: { id: string } | { name: string }): Promise<ToolFlow | undefined> {
    const [row] = await tx
      .select({
        id: flows.id,
        name: flows.name,
        status: flows.status,
        publishedVersionId: flows.publishedVersionId,
      })
      .from(flows)
      .where('id' in by ? eq(flows.id, by.id) : sql`lower(${flows.name}) = lower(${by.name})`)
      .orderBy(sql`${flows.status} = 'ACTIVE' desc`, desc(flows.createdAt))
      .limit(1);
    return row;
  }
}
