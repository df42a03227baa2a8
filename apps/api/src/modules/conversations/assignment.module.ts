import { Global, Module } from '@nestjs/common';
import { RealtimeModule } from '../realtime/realtime.module.js';
import { AssignmentRepository } from './assignment.repository.js';
import { AssignmentService } from './assignment.service.js';

/**
 * Global so the inbound pipeline (ChannelCoreModule) can call automatic assignment without importing the
 * conversations module. Only the API process loads it: the worker builds ChannelCoreModule for the outbound
 * router and never ingests, so its pipeline (which injects this as optional) runs without it.
 */
@Global()
@Module({
  imports: [RealtimeModule],
  providers: [AssignmentService, AssignmentRepository],
  exports: [AssignmentService],
})
export class AssignmentModule {}
