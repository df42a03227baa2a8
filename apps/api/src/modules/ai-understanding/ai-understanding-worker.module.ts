import { Module } from '@nestjs/common';

/** Message understanding jobs (worker side). */
@Module({})
export class AiUnderstandingWorkerModule {}
