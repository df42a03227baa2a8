import { Module } from '@nestjs/common';
import { AiUnderstandingCoreModule } from './ai-understanding-core.module.js';

/** Message understanding (API side): inbound messages stored here are queued; classification runs in the worker. */
@Module({ imports: [AiUnderstandingCoreModule] })
export class AiUnderstandingModule {}
