import { Module } from '@nestjs/common';

/** Chat agent replies (worker side). */
@Module({})
export class ChatAgentsWorkerModule {}
