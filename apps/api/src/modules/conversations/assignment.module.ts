import { Global, Module } from '@nestjs/common';
import { NotificationsRepository } from '../notifications/notifications.repository.js';
import { NotificationsService } from '../notifications/notifications.service.js';
import { RealtimeModule, RealtimeRelayModule } from '../realtime/realtime.module.js';
import { AssignmentRepository } from './assignment.repository.js';
import { AssignmentService } from './assignment.service.js';

/**
 * Global so the inbound pipeline (ChannelCoreModule) can call automatic assignment without importing the
 * conversations module. The API process loads this one; the worker loads AssignmentWorkerModule below.
 */
@Global()
@Module({
  imports: [RealtimeModule],
  providers: [AssignmentService, AssignmentRepository],
  exports: [AssignmentService],
})
export class AssignmentModule {}

/**
 * The worker ingests too (email polled over IMAP, linked WhatsApp devices), so conversations that arrive there
 * are assigned the same way; its notifications and live updates go out through the Socket.IO Redis emitter.
 */
@Global()
@Module({
  imports: [RealtimeRelayModule],
  providers: [AssignmentService, AssignmentRepository, NotificationsService, NotificationsRepository],
  exports: [AssignmentService],
})
export class AssignmentWorkerModule {}
