import type { TAppointment } from '@orbitdesk/shared';
import type { AppointmentRow } from './appointments.repository.js';

export const toAppointmentDto = (a: AppointmentRow): TAppointment => ({
  id: a.id,
  contactId: a.contactId,
  conversationId: a.conversationId,
  title: a.title,
  startsAt: a.startsAt.toISOString(),
  durationMinutes: a.durationMinutes,
  notes: a.notes,
  createdBy: a.createdBy,
  createdAt: a.createdAt.toISOString(),
});
