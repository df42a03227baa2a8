import { Inject, Injectable, Logger } from '@nestjs/common';
import { UnrecoverableError, type Job } from 'bullmq';
import { WEBHOOK_HEADERS } from '@orbitdesk/shared';
import { SecretBox } from '../../common/crypto/secret-box.js';
import { ResponseTooLargeError, SsrfBlockedError } from '../../common/http-client/http-client.errors.js';
import { SafeHttpClient } from '../../common/http-client/safe-http-client.js';
import type { WebhookJobData } from '../../common/queue/webhooks.queue.js';
import { requestContext } from '../../common/tenancy/request-context.js';
import { TenantDb } from '../../common/tenancy/tenant-db.service.js';
import { APP_CONFIG, type AppConfig } from '../../config/app-config.js';
import { AuditService } from '../audit/audit.service.js';
import { retryDeadline, retryDelayMs } from './webhook-retry.js';
import { signWebhook } from './webhook-signature.js';
import { ActiveEndpointsCache } from './active-endpoints.cache.js';
import { WebhooksRepository, type WebhookDeliveryRow } from './webhooks.repository.js';

const TIMEOUT_MS = 10_000;
/** Only a snippet of the receiver's answer is kept; a longer one is not read. */
const MAX_ANSWER_BYTES = 64 * 1024;
const SNIPPET = 300;

type Outcome = 'succeeded' | 'retry' | 'failed';

const is2xx = (status: number | null) => status !== null && status >= 200 && status < 300;

/**
 * One `webhooks` job: POST the delivery's event, signed, to its endpoint, and log the attempt. 2xx → succeeded;
 * 410 Gone → failed and the endpoint disabled; a blocked address → failed; anything else → thrown so BullMQ
 * retries with the webhook backoff, until the next retry would fall past the horizon, which fails it.
 */
@Injectable()
export class WebhookDeliveryProcessor {
  private readonly logger = new Logger('WebhookDeliveryProcessor');

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly tenantDb: TenantDb,
    private readonly repo: WebhooksRepository,
    private readonly secrets: SecretBox,
    private readonly http: SafeHttpClient,
    private readonly audit: AuditService,
    private readonly endpoints: ActiveEndpointsCache,
  ) {}

  process(job: Job<WebhookJobData>): Promise<void> {
    const { tenantId, deliveryId } = job.data;
    return requestContext.run({ tenantId, requestId: `job:webhooks:${job.id}` }, () =>
      this.deliver(job, tenantId, deliveryId),
    );
  }

  private async deliver(job: Job<WebhookJobData>, tenantId: string, deliveryId: string): Promise<void> {
    const found = await this.tenantDb.run((tx) => this.repo.findDeliveryForSend(tx, deliveryId));
    // Deleted with its endpoint, or settled by an earlier run of this job: nothing to send.
    if (!found || found.delivery.status !== 'pending') return;
    const { delivery, endpoint } = found;
    if (!endpoint.isActive) {
      await this.tenantDb.run((tx) =>
        this.repo.setDeliveryStatus(tx, deliveryId, {
          status: 'failed',
          lastError: 'The endpoint is disabled',
          nextAttemptAt: null,
        }),
      );
      return;
    }

    const body = JSON.stringify(delivery.payload);
    const secret = this.secrets.decrypt(endpoint.secret, tenantId);
    const started = performance.now();
    let statusCode: number | null = null;
    let error: string | null = null;
    let blocked = false;
    try {
      const res = await this.http.request(endpoint.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'OrbitDesk-Webhooks/1',
          [WEBHOOK_HEADERS.event]: delivery.eventType,
          [WEBHOOK_HEADERS.delivery]: delivery.id,
          [WEBHOOK_HEADERS.signature]: signWebhook(secret, body, Math.floor(Date.now() / 1000)),
        },
        body,
        // The signed event goes to the URL the admin registered, not wherever that URL points next.
        maxRedirects: 0,
        timeoutMs: TIMEOUT_MS,
        maxResponseBytes: MAX_ANSWER_BYTES,
      });
      statusCode = res.status;
      if (!is2xx(statusCode)) {
        const text = res.text().trim();
        error = `HTTP ${statusCode}${text ? `: ${text.slice(0, SNIPPET)}` : ''}`;
      }
    } catch (err) {
      if (err instanceof ResponseTooLargeError) {
        // It answered; only the status matters.
        statusCode = err.status;
        if (!is2xx(statusCode)) error = `HTTP ${statusCode}`;
      } else {
        blocked = err instanceof SsrfBlockedError;
        error = blocked ? `URL not allowed: ${(err as SsrfBlockedError).reason}` : (err as Error).message;
      }
    }
    const latencyMs = Math.round(performance.now() - started);

    const gone = statusCode === 410;
    const delay = retryDelayMs(job.attemptsMade + 1, this.config.WEBHOOK_RETRY_BASE_MS);
    const outOfTime =
      Date.now() + delay > retryDeadline(delivery.createdAt, this.config.WEBHOOK_RETRY_HORIZON_HOURS) ||
      job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    const outcome: Outcome = error === null ? 'succeeded' : gone || blocked || outOfTime ? 'failed' : 'retry';

    await this.record(delivery, outcome, { statusCode, error, latencyMs, delay });
    if (gone) await this.disableEndpoint(endpoint.id, deliveryId);
    if (outcome === 'succeeded') return;
    this.logger.warn(`webhook delivery ${deliveryId} attempt ${job.attemptsMade + 1}: ${error} (${outcome})`);
    // UnrecoverableError tells BullMQ not to retry; any other error is retried with the webhook backoff.
    throw outcome === 'failed' ? new UnrecoverableError(error!) : new Error(error!);
  }

  private async record(
    delivery: WebhookDeliveryRow,
    outcome: Outcome,
    a: { statusCode: number | null; error: string | null; latencyMs: number; delay: number },
  ): Promise<void> {
    await this.tenantDb.run(async (tx) => {
      const row = await this.repo.countAttempt(tx, delivery.id, {
        status: outcome === 'retry' ? 'pending' : outcome,
        lastStatusCode: a.statusCode,
        lastError: a.error?.slice(0, 1000) ?? null,
        lastLatencyMs: a.latencyMs,
        nextAttemptAt: outcome === 'retry' ? new Date(Date.now() + a.delay) : null,
      });
      await this.repo.insertAttempt(tx, {
        tenantId: delivery.tenantId,
        deliveryId: delivery.id,
        attempt: row!.attempts,
        statusCode: a.statusCode,
        latencyMs: a.latencyMs,
        error: a.error?.slice(0, 1000) ?? null,
      });
    });
  }

  /** 410 Gone is the receiver saying "stop": the endpoint stays, disabled, until an admin enables it again. */
  private async disableEndpoint(endpointId: string, deliveryId: string): Promise<void> {
    await this.tenantDb.run(async (tx) => {
      await this.repo.updateEndpoint(tx, endpointId, { isActive: false });
      await this.audit.record(tx, {
        action: 'webhook_endpoint.disabled',
        entityType: 'webhook_endpoint',
        entityId: endpointId,
        metadata: { reason: 'The endpoint answered 410 Gone', deliveryId },
      });
    });
    await this.endpoints.invalidate(requestContext.tenantId());
    this.logger.warn(`webhook endpoint ${endpointId} answered 410 Gone and was disabled`);
  }
}
