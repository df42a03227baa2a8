import { Injectable, Logger } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { requestContext } from '../tenancy/request-context.js';
import { API_PREFIX } from './api-prefix.js';
import type { RouteContract } from './contract.js';
import { checkRequest, checkResponse } from './contract.interceptor.js';
import { replyWithError } from './http-exception.filter.js';

/** The parsed parts of a request to a direct route (validated against its contract). */
export interface DirectRequest {
  params: unknown;
  body: unknown;
  headers: FastifyRequest['headers'];
}

export interface DirectRoute {
  method: 'POST';
  /** Below the API prefix, with Nest-style parameters: `channels/api/:inboxId/messages`. */
  path: string;
  /** The names OpenAPI and the route table show for it (operation id `<controller without Controller>_<handler>`). */
  controller: string;
  handler: string;
  contract: RouteContract & { status: number };
  /** A provider webhook's rate budget (see ProviderWebhook), else the default one. */
  webhook: boolean;
  handle(request: DirectRequest): Promise<unknown>;
}

/**
 * Public routes served by Fastify directly, not through Nest's router: for the hottest webhook paths, where
 * Nest's per-request pipeline (execution context, guard, two interceptors as rxjs chains) was about a third
 * of the API's JavaScript time per inbound message (bench/RESULTS.md §1, 22:00). A direct route keeps
 * everything that pipeline gives a public route: the contract's request validation with the same 400 body,
 * the response contract, the request context (request id, client address), the one error body and the logging
 * of 5xx. Fastify's hooks (security headers, CORS, the rate limit, x-request-id) and Nest's body parser and
 * error handler apply to it as to every route. There is no guard: only @Public()-equivalent routes may be
 * direct (they authenticate themselves, by a secret or a signature). `listRoutes` lists them, so OpenAPI and
 * the route-table checks cover them like controller routes.
 */
@Injectable()
export class DirectRoutes {
  private readonly logger = new Logger('DirectRoutes');
  private readonly routes: DirectRoute[] = [];

  constructor(private readonly adapterHost: HttpAdapterHost) {}

  /** Registers the route on the app's Fastify instance (call from onModuleInit, before the server listens). */
  register(route: DirectRoute): void {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    fastify.route({
      method: route.method,
      url: `/${API_PREFIX}/${route.path}`,
      config: route.webhook ? { rateLimit: 'webhook' } : {},
      handler: (request, reply) => this.serve(route, request, reply),
    });
    this.routes.push(route);
  }

  list(): readonly DirectRoute[] {
    return this.routes;
  }

  private async serve(
    route: DirectRoute,
    request: FastifyRequest,
    reply: FastifyReply,
  ): Promise<FastifyReply> {
    const parts = { params: request.params, query: request.query, body: request.body };
    try {
      checkRequest(route.contract, parts);
      const context = { requestId: String(request.id), ip: request.ip ?? null };
      const result = await requestContext.run(context, () =>
        route.handle({ params: parts.params, body: parts.body, headers: request.headers }),
      );
      const body = checkResponse(route.contract, result, this.logger, request.url);
      return reply.status(route.contract.status).send(body);
    } catch (err) {
      return replyWithError(err, request, reply, this.logger);
    }
  }
}
