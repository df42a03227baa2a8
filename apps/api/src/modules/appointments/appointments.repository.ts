import { Injectable } from '@nestjs/common';
import { and, asc, eq, gte, sql } from 'drizzle-orm';
import type { TenantTx } from '../../db/database.js';
import { appointments, contacts } from '../../db/schema/index.js';

export type AppointmentRow = typeof appointments.$inferSelect;
export type NewAppointmentRow = typeof appointments.$inferInsert;

@Injectable()
export class AppointmentsRepository {
  async insert(tx: TenantTx, values: NewAppointmentRow): Promise<AppointmentRow> {
    const [row] = await tx.insert(appointments).values(values).returning();
    return row!;
  }

  /** A contact's appointments in time order. */
  listByContact(tx: TenantTx, contactId: string, limit: number): Promise<AppointmentRow[]> {
    return tx
      .select()
      .from(appointments)
      .where(eq(appointments.contactId, contactId))
      .orderBy(asc(appointments.startsAt), asc(appointments.id))
      .limit(limit);
  }

  /** Those not started yet, soonest first. */
  upcomingOfContact(tx: TenantTx, contactId: string, limit: number): Promise<AppointmentRow[]> {
    return tx
      .select()
      .from(appointments)
      .where(and(eq(appointments.contactId, contactId), gte(appointments.startsAt, sql`now()`)))
      .orderBy(asc(appointments.startsAt), asc(appointments.id))
      .limit(limit);
  }

  async contactExists(tx: TenantTx, id: string): Promise<boolean> {
    const [row] = await tx.select({ id: contacts.id }).from(contacts).where(eq(contacts.id, id));
    return row !== undefined;
  }
}
