import { Inject, Injectable } from '@nestjs/common';
import type { Job } from 'bullmq';
import { QueueConsumer } from '../../../common/queue/queue-consumer.js';
import { requestContext } from '../../../common/tenancy/request-context.js';
import { APP_CONFIG, type AppConfig } from '../../../config/app-config.js';
import { FlowExecutorService } from '../engine/flow-executor.service.js';
import { FLOW_RESUME_QUEUE, type FlowResumeJobData } from './flow-queues.js';

/**
 * The consumer of `flow-resume` (worker process): a Delay's time or a reply wait's timeout has come. A job whose
 * session has moved on (replied, resumed already, ended) finds nothing to claim and does nothing.
 */
@Injectable()
export class FlowResumeWorker extends QueueConsumer<FlowResumeJobData> {
  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly executor: FlowExecutorService,
  ) {
    super(config, FLOW_RESUME_QUEUE, { concurrency: 10 });
  }

  protected async handle(job: Job<FlowResumeJobData>): Promise<void> {
    const { tenantId, sessionId, nodeId, steps, kind } = job.data;
    await requestContext.run({ tenantId, requestId: `job:flow-resume:${job.id}` }, () =>
      this.executor.resume(tenantId, sessionId, kind === 'delay' ? 'time' : 'timeout', { nodeId, steps }),
    );
  }
}
