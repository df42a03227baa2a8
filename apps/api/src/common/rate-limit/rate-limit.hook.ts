import { RouteConfig } from '@nestjs/platform-fastify';
import type { FastifyInstance } from 'fastify';
import { sha256Hex } from '../crypto/hash.js';
import { tooManyRequests } from '../http/errors.js';
import { toErrorBody } from '../http/http-exception.filter.js';
import type { RateLimiterService } from './rate-limiter.service.js';

export const badKeyIdentity = (ip: string) => `badkey:${ip}`;
export const badWebhookIdentity = (ip: string) => `badwebhook:${ip}`;

/**
 * Marks a provider webhook route (authenticated by a secret or signature, called by a provider from a few
 * addresses at the pace of its customers' messages). It gets its own per-route, per-IP budget,
 * WEBHOOK_RATE_LIMIT_MAX, instead of the 100-a-minute one meant for people and API clients; an address that
 * keeps failing the route's authentication is stopped by its failure count.
 */
export const ProviderWebhook = () => RouteConfig({ rateLimit: 'webhook' });

/** Paths that load balancers poll; limiting them would mark a healthy replica down. */
const EXEMPT = new Set(['/api/v1/health']);

/**
 * Counts every API request before routing: per API key (by its hash, so no database read is needed) or per
 * client IP. Runs as a Fastify hook so that even unauthenticated and unknown routes are limited.
 */
export function registerRateLimit(
  fastify: FastifyInstance,
  limiter: RateLimiterService,
  webhookLimit: number,
): void {
  fastify.addHook('onRequest', async (request, reply) => {
    const path = request.url.split('?', 1)[0] ?? '';
    if (!path.startsWith('/api/') || EXEMPT.has(path)) return;
    const routeConfig = request.routeOptions.config as { rateLimit?: string } | undefined;
    const apiKey = request.headers['x-api-key'];
    const bearer = request.headers.authorization?.startsWith('Bearer ');
    const usesKey = typeof apiKey === 'string' && apiKey !== '' && !bearer;
    // Made-up keys would each get a fresh budget, so an IP that keeps presenting wrong keys is stopped by its
    // own failure count (filled by AuthGuard) whatever key it sends next.
    const result =
      routeConfig?.rateLimit === 'webhook'
        ? await limiter.hit(
            `wh:${request.routeOptions.url}:${request.ip}`,
            badWebhookIdentity(request.ip),
            webhookLimit,
          )
        : usesKey
          ? await limiter.hit(`key:${sha256Hex(apiKey)}`, badKeyIdentity(request.ip))
          : await limiter.hit(`ip:${request.ip}`);
    if (!result) return;
    void reply.header('x-ratelimit-limit', result.limit);
    void reply.header('x-ratelimit-remaining', result.remaining);
    if (!result.allowed) {
      const { body, headers } = toErrorBody(
        tooManyRequests(
          `Rate limit of ${result.limit} requests per window exceeded; retry in ${result.resetSeconds}s`,
          result.resetSeconds,
        ),
      );
      return reply
        .status(429)
        .headers(headers ?? {})
        .send(body);
    }
  });
}
