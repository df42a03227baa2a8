import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { QueueProducer, type RequeueResult } from '../../../common/queue/queue-producer.js';
import { APP_CONFIG, type AppConfig } from '../../../config/app-config.js';
import type { FlowMessageInput, FlowWebhookInput } from '../engine/node-handler.js';

/**
 * Flows run in the worker. The API (and the worker's own event listeners) only enqueue: `flow-run` carries what
 * happened (a message, a new contact, added tags, a manual or webhook start) and `flow-resume` the delayed jobs
 * that wake waiting sessions (a Delay's end, a Wait for Reply's timeout).
 */
export const FLOW_RUN_QUEUE = 'flow-run';
export const FLOW_RESUME_QUEUE = 'flow-resume';

export type FlowRunJobData =
  | {
      kind: 'message';
      tenantId: string;
      contactId: string;
      conversationId: string;
      channelId: string;
      message: FlowMessageInput;
    }
  | { kind: 'contact_created'; tenantId: string; contactId: string }
  | { kind: 'tag_added'; tenantId: string; contactId: string; tags: string[] }
  | {
      kind: 'start';
      tenantId: string;
      flowId: string;
      contactId: string | null;
      webhook: FlowWebhookInput | null;
      /** The session's starting {{vars}} (an AI agent's trigger_flow). */
      variables?: Record<string, unknown>;
    };

export interface FlowResumeJobData {
  tenantId: string;
  sessionId: string;
  /** The node the session waits at, and its step count then: a stale job (the session moved on) does nothing. */
  nodeId: string;
  steps: number;
  kind: 'delay' | 'reply_timeout';
  /** How many times the recovery sweep has retried this job after it failed every attempt. */
  sweepRetries?: number;
}

/** The recovery sweep retries a failed resume job this many times, then ends its session as failed. */
export const MAX_SWEEP_RETRIES = 3;

const JOB_OPTIONS = {
  attempts: 5,
  backoff: { type: 'exponential', delay: 1_000 },
  removeOnComplete: true,
  removeOnFail: { age: 7 * 24 * 3600 },
} as const;

/** Producer of `flow-run`. Event jobs get ids derived from the event, so a re-published event runs once. */
@Injectable()
export class FlowRunQueue extends QueueProducer<FlowRunJobData> {
  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    super(config, FLOW_RUN_QUEUE, JOB_OPTIONS);
  }

  async enqueue(data: FlowRunJobData): Promise<void> {
    await this.addCoalesced(data.kind, data, { jobId: jobIdOf(data) });
  }
}

function jobIdOf(data: FlowRunJobData): string {
  switch (data.kind) {
    case 'message':
      return `message-${data.message.id}`;
    case 'contact_created':
      return `contact-${data.contactId}`;
    case 'tag_added':
    case 'start':
      return `${data.kind}-${randomUUID()}`;
  }
}

const resumeJobId = (data: FlowResumeJobData) => `${data.sessionId}-${data.nodeId}-${data.steps}`;

/** Producer of `flow-resume`: one delayed job per wait; id = session + node + step, so duplicates collapse. */
@Injectable()
export class FlowResumeQueue extends QueueProducer<FlowResumeJobData> {
  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    super(config, FLOW_RESUME_QUEUE, JOB_OPTIONS);
  }

  async schedule(data: FlowResumeJobData, at: Date): Promise<void> {
    await this.queue.add(data.kind, data, {
      jobId: resumeJobId(data),
      delay: Math.max(0, at.getTime() - Date.now()),
    });
  }

  /**
   * For the recovery sweep: the wait's job again, due now, unless it is still there to run. A job that failed
   * every attempt is retried, up to MAX_SWEEP_RETRIES times (resuming is safe to repeat: only a session still
   * waiting at that node and step is claimed); after that it says 'exhausted' with the job's last failure. Else
   * says what it found: 'added', 'retried', or the state of the job that is there.
   */
  async requeue(data: FlowResumeJobData): Promise<RequeueResult | 'retried' | { exhausted: string }> {
    const jobId = resumeJobId(data);
    const result = await this.addIfAbsent(data.kind, data, jobId);
    if (result !== 'failed') return result;
    const job = await this.queue.getJob(jobId);
    if (!job) return 'unknown';
    const retries = job.data.sweepRetries ?? 0;
    if (retries >= MAX_SWEEP_RETRIES) return { exhausted: job.failedReason || 'unknown error' };
    await job.updateData({ ...job.data, sweepRetries: retries + 1 });
    await job.retry('failed');
    return 'retried';
  }
}
