import { Inject, Injectable } from '@nestjs/common';
import type { Job } from 'bullmq';
import { QueueConsumer } from '../../../common/queue/queue-consumer.js';
import { requestContext } from '../../../common/tenancy/request-context.js';
import { APP_CONFIG, type AppConfig } from '../../../config/app-config.js';
import { FlowTriggerService } from '../triggers/flow-trigger.service.js';
import { FLOW_RUN_QUEUE, type FlowRunJobData } from './flow-queues.js';

/** The consumer of `flow-run` (worker process): events and starts become sessions. */
@Injectable()
export class FlowRunWorker extends QueueConsumer<FlowRunJobData> {
  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly triggers: FlowTriggerService,
  ) {
    super(config, FLOW_RUN_QUEUE, { concurrency: 10 });
  }

  protected handle(job: Job<FlowRunJobData>): Promise<void> {
    return requestContext.run({ tenantId: job.data.tenantId, requestId: `job:flow-run:${job.id}` }, () =>
      this.triggers.handle(job.data),
    );
  }
}
