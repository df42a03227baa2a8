import { Injectable } from '@nestjs/common';
import type { TAppointment } from '@orbitdesk/shared';
import { notFound, unprocessable } from '../../common/http/errors.js';
import { requestContext } from '../../common/tenancy/request-context.js';
import { TenantDb } from '../../common/tenancy/tenant-db.service.js';
import { AuditService } from '../audit/audit.service.js';
import { toAppointmentDto } from './appointment-dto.js';
import { AppointmentsRepository } from './appointments.repository.js';

/** A contact's list is bounded; older bookings beyond it are not shown. */
const LIST_LIMIT = 500;

export interface BookAppointment {
  contactId: string;
  conversationId: string | null;
  title: string;
  startsAt: Date;
  durationMinutes: number;
  notes: string | null;
  /** `user:<id>`, `agent:<id>` (an AI agent) or `api`. */
  createdBy: string;
}

@Injectable()
export class AppointmentsService {
  constructor(
    private readonly tenantDb: TenantDb,
    private readonly repo: AppointmentsRepository,
    private readonly audit: AuditService,
  ) {}

  async listForContact(contactId: string): Promise<{ items: TAppointment[] }> {
    const rows = await this.tenantDb.run(async (tx) => {
      if (!(await this.repo.contactExists(tx, contactId))) throw notFound('Contact');
      return this.repo.listByContact(tx, contactId, LIST_LIMIT);
    });
    return { items: rows.map(toAppointmentDto) };
  }

  async upcomingForContact(contactId: string, limit: number): Promise<TAppointment[]> {
    const rows = await this.tenantDb.run((tx) => this.repo.upcomingOfContact(tx, contactId, limit));
    return rows.map(toAppointmentDto);
  }

  /** A booking must start in the future (422 otherwise, saying so). */
  async book(input: BookAppointment): Promise<TAppointment> {
    if (input.startsAt.getTime() <= Date.now()) {
      throw unprocessable(`startsAt: ${input.startsAt.toISOString()} is in the past; choose a future time`);
    }
    const row = await this.tenantDb.run(async (tx) => {
      if (!(await this.repo.contactExists(tx, input.contactId))) throw notFound('Contact');
      const row = await this.repo.insert(tx, { tenantId: requestContext.tenantId(), ...input });
      await this.audit.record(tx, {
        action: 'appointment.created',
        entityType: 'appointment',
        entityId: row.id,
        metadata: {
          contactId: row.contactId,
          startsAt: row.startsAt.toISOString(),
          createdBy: row.createdBy,
        },
      });
      return row;
    });
    return toAppointmentDto(row);
  }
}
