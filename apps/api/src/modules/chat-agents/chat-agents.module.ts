import { Module } from '@nestjs/common';

/** Chat agents (API side). */
@Module({})
export class ChatAgentsModule {}
