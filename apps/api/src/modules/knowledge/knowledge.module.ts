import { Module } from '@nestjs/common';

/** Knowledge bases and their sources (API side). */
@Module({})
export class KnowledgeModule {}
