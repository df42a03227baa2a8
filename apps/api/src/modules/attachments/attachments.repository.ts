import { Injectable } from '@nestjs/common';
import { eq } from 'drizzle-orm';
import { Database, type TenantTx } from '../../db/database.js';
import { attachments, tenants } from '../../db/schema/index.js';

export type AttachmentRow = typeof attachments.$inferSelect;
export type NewAttachment = typeof attachments.$inferInsert;

@Injectable()
export class AttachmentsRepository {
  constructor(private readonly db: Database) {}

  async findById(tx: TenantTx, id: string): Promise<AttachmentRow | undefined> {
    const [row] = await tx.select().from(attachments).where(eq(attachments.id, id));
    return row;
  }

  async insert(tx: TenantTx, values: NewAttachment): Promise<AttachmentRow> {
    const [row] = await tx.insert(attachments).values(values).returning();
    return row!;
  }

  async delete(tx: TenantTx, id: string): Promise<void> {
    await tx.delete(attachments).where(eq(attachments.id, id));
  }

  /**
   * Signed downloads: the link, not a session, names the attachment, so there is no tenant yet. The caller must
   * verify the link's signature against the returned row's tenant id before serving anything.
   */
  async unsafeFindForDownload(id: string): Promise<(AttachmentRow & { tenantStatus: string }) | undefined> {
    const [row] = await this.db.unsafe
      .select({ attachment: attachments, tenantStatus: tenants.status })
      .from(attachments)
      .innerJoin(tenants, eq(tenants.id, attachments.tenantId))
      .where(eq(attachments.id, id));
    return row ? { ...row.attachment, tenantStatus: row.tenantStatus } : undefined;
  }
}
