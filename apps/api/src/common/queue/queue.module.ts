import { Global, Inject, Injectable, Module } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../config/app-config.js';
import { QueueProducer, type RequeueResult } from './queue-producer.js';
import { OUTBOUND_JOB_OPTIONS, OUTBOUND_QUEUE, type OutboundJobData } from './queue.constants.js';

/** The producer side of the `outbound` queue; the worker process consumes it (worker.ts). */
@Injectable()
export class OutboundQueue extends QueueProducer<OutboundJobData> {
  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    super(config, OUTBOUND_QUEUE, OUTBOUND_JOB_OPTIONS);
  }

  async enqueue(data: OutboundJobData): Promise<void> {
    await this.queue.add('send', data, { jobId: data.messageId });
  }

  /** Re-adds the send of a message whose job was lost; see QueueProducer.addIfAbsent. */
  requeue(data: OutboundJobData): Promise<RequeueResult> {
    return this.addIfAbsent('send', data, data.messageId);
  }
}

@Global()
@Module({ providers: [OutboundQueue], exports: [OutboundQueue] })
export class QueueModule {}
