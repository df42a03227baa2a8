import { Module } from '@nestjs/common';

/** Message understanding (API side). */
@Module({})
export class AiUnderstandingModule {}
