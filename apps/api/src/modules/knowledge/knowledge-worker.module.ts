import { Module } from '@nestjs/common';

/** Knowledge ingestion jobs (worker side). */
@Module({})
export class KnowledgeWorkerModule {}
