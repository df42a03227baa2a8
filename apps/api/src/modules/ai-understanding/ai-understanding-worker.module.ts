import { Module } from '@nestjs/common';
import { AiUnderstandingCoreModule } from './ai-understanding-core.module.js';
import { AiUnderstandingProcessor } from './ai-understanding.processor.js';

/** Message understanding jobs (worker side), and the listener for messages the worker ingests itself. */
@Module({ imports: [AiUnderstandingCoreModule], providers: [AiUnderstandingProcessor] })
export class AiUnderstandingWorkerModule {}
