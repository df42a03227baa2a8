import { Injectable } from '@nestjs/common';
import type { TClassifyResponse } from '@orbitdesk/shared';
import { and, eq, isNull, sql } from 'drizzle-orm';
import type { TenantTx } from '../../db/database.js';
import { messages } from '../../db/schema/index.js';
import type { MessageRow } from '../conversations/conversation-dto.js';

@Injectable()
export class MessageUnderstandingRepository {
  async find(tx: TenantTx, id: string): Promise<MessageRow | undefined> {
    const [row] = await tx.select().from(messages).where(eq(messages.id, id));
    return row;
  }

  /**
   * Writes the understanding unless the message has one already (the job and a flow's condition may classify
   * the same message at once): undefined when someone else stored it first.
   */
  async store(tx: TenantTx, id: string, result: TClassifyResponse): Promise<MessageRow | undefined> {
    const [row] = await tx
      .update(messages)
      .set({
        intent: result.intent,
        intentConfidence: result.confidence,
        sentiment: result.sentiment,
        language: result.language,
        understandingModel: result.model,
        updatedAt: sql`now()`,
      })
      .where(and(eq(messages.id, id), isNull(messages.intent)))
      .returning();
    return row;
  }
}
