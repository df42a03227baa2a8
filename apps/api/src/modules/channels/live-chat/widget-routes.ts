import { Injectable, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { API_PREFIX } from '../../../openapi/route-table.js';
import { WIDGET_CORS } from './live-chat.http.js';
import { WidgetBundle } from './widget-bundle.js';

/** The URL is not versioned, so browsers check back every few minutes (a 304 while the bundle is unchanged). */
const BUNDLE_CACHE_CONTROL = 'public, max-age=300, stale-while-revalidate=86400';

/**
 * Two routes Nest controllers cannot declare: the bundle at /widget.js (outside the /api/v1 prefix, where the
 * embed snippet points) and the CORS preflight of the widget's API, which must answer any site. The global CORS
 * plugin answers preflights from its own hook with the route's `cors` config, and a preflight is routed by its
 * OPTIONS path, not by the POST it announces: this OPTIONS route carries the widget's CORS config.
 */
@Injectable()
export class WidgetRoutes implements OnModuleInit {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly bundle: WidgetBundle,
  ) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    fastify.route({
      method: 'GET',
      url: '/widget.js',
      // Not the app's CORS (credentials, a list of origins): a script anyone may load.
      config: { cors: false },
      handler: (req, reply) => this.serveBundle(req, reply),
    });
    fastify.route({
      method: 'OPTIONS',
      url: `/${API_PREFIX}/channels/live-chat/*`,
      config: { cors: WIDGET_CORS, rateLimit: 'webhook' },
      handler: (_req, reply) => reply.code(204).send(),
    });
  }

  private async serveBundle(req: FastifyRequest, reply: FastifyReply) {
    const file = await this.bundle.load();
    if (!file) {
      return reply.code(404).send({
        statusCode: 404,
        error: 'Not Found',
        message: 'The widget is not built on this server (pnpm --filter @orbitdesk/widget build)',
      });
    }
    void reply.headers({
      'access-control-allow-origin': '*',
      // Helmet's default (same-origin) would stop every other site from running the script.
      'cross-origin-resource-policy': 'cross-origin',
      'cache-control': BUNDLE_CACHE_CONTROL,
      etag: file.etag,
    });
    if (req.headers['if-none-match'] === file.etag) return reply.code(304).send();
    return reply.type('text/javascript; charset=utf-8').send(file.body);
  }
}
