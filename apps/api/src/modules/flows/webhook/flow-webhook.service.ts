import { Injectable } from '@nestjs/common';
import type { TFlowWebhookAck, TFlowWebhookInfo } from '@orbitdesk/shared';
import { SecretBox } from '../../../common/crypto/secret-box.js';
import { AppError, forbidden } from '../../../common/http/errors.js';
import { badWebhookIdentity } from '../../../common/rate-limit/rate-limit.hook.js';
import { RateLimiterService } from '../../../common/rate-limit/rate-limiter.service.js';
import { requestContext } from '../../../common/tenancy/request-context.js';
import { FlowsRepository, type WebhookFlowRow } from '../flows.repository.js';
import { FlowRunQueue } from '../queue/flow-queues.js';
import {
  flowVisibleHeaders,
  presentedSignature,
  verifyFlowWebhookSignature,
} from './flow-webhook.signature.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface WebhookRequest {
  method: string;
  headers: Record<string, string | string[] | undefined>;
  query: Record<string, string | string[]>;
  body: unknown;
  rawBody: Buffer | undefined;
}

/**
 * The public webhook trigger. The URL token finds the flow (before any tenant is known); a flow with a secret
 * then requires the caller's HMAC signature. The call is answered at once and the flow runs in the worker.
 */
@Injectable()
export class FlowWebhookService {
  constructor(
    private readonly flows: FlowsRepository,
    private readonly queue: FlowRunQueue,
    private readonly secrets: SecretBox,
    private readonly limiter: RateLimiterService,
  ) {}

  async info(token: string): Promise<TFlowWebhookInfo> {
    const flow = await this.find(token);
    return { name: flow.name, status: flow.status };
  }

  async receive(token: string, req: WebhookRequest): Promise<TFlowWebhookAck> {
    const flow = await this.find(token);
    if (flow.status !== 'ACTIVE') throw forbidden('This flow is not active');
    if (flow.webhookSecret) {
      const presented = presentedSignature(req.headers);
      const secret = this.secrets.decrypt(flow.webhookSecret, flow.tenantId);
      if (!presented || !verifyFlowWebhookSignature(secret, req.rawBody ?? Buffer.alloc(0), presented)) {
        await this.limiter.recordFailure(badWebhookIdentity(requestContext.get()?.ip ?? 'unknown'));
        throw forbidden('Missing or invalid signature (x-hub-signature-256: sha256=<hex HMAC of the body>)');
      }
    }
    await this.queue.enqueue({
      kind: 'start',
      tenantId: flow.tenantId,
      flowId: flow.id,
      contactId: null,
      webhook: {
        body: req.body ?? null,
        query: req.query,
        headers: flowVisibleHeaders(req.headers),
        method: req.method,
        receivedAt: new Date().toISOString(),
        token,
      },
    });
    return { success: true, message: 'Webhook received' };
  }

  private async find(token: string): Promise<WebhookFlowRow> {
    const flow = UUID.test(token)
      ? await this.flows.unsafeFindByWebhookToken(token.toLowerCase())
      : undefined;
    if (!flow) throw new AppError(404, 'Webhook not found');
    return flow;
  }
}
