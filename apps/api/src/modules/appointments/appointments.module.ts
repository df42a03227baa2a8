import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module.js';
import { AppointmentsController } from './appointments.controller.js';
import { AppointmentsRepository } from './appointments.repository.js';
import { AppointmentsService } from './appointments.service.js';

/** Appointments booked for contacts: listed on the contact, booked by AI agents (the book_appointment tool). */
@Module({
  imports: [AuditModule],
  controllers: [AppointmentsController],
  providers: [AppointmentsService, AppointmentsRepository],
  exports: [AppointmentsService],
})
export class AppointmentsModule {}
