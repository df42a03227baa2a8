import { Controller, Get, Param } from '@nestjs/common';
import { ZAppointmentList, ZIdParams, type TIdParams } from '@orbitdesk/shared';
import { Roles, Scopes } from '../../common/auth/access.decorators.js';
import { Contract } from '../../common/http/contract.js';
import { AppointmentsService } from './appointments.service.js';

@Controller('contacts/:id/appointments')
export class AppointmentsController {
  constructor(private readonly appointments: AppointmentsService) {}

  @Get()
  @Roles('AGENT')
  @Scopes('contacts:read')
  @Contract({
    summary: "A contact's appointments (booked by people or AI agents), in time order",
    tags: ['Contacts'],
    params: ZIdParams,
    response: ZAppointmentList,
  })
  list(@Param() { id }: TIdParams) {
    return this.appointments.listForContact(id);
  }
}
