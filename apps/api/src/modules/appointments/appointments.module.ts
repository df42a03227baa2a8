import { Module } from '@nestjs/common';

/** Appointments booked by agents and AI agents. */
@Module({})
export class AppointmentsModule {}
