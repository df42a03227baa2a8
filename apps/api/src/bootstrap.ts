import 'reflect-metadata';
import { type LoggerService } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import fastifyCookie from '@fastify/cookie';
import fastifyCors from '@fastify/cors';
import fastifyMultipart from '@fastify/multipart';
import type { FastifyBaseLogger } from 'fastify';
import { randomUUID } from 'node:crypto';
import { AppModule } from './app.module.js';
import type { AppConfig } from './config/app-config.js';
import { registerSecurityHeaders } from './common/http/security-headers.js';
import { registerRateLimit } from './common/rate-limit/rate-limit.hook.js';
import { RateLimiterService } from './common/rate-limit/rate-limiter.service.js';
import { buildOpenApi } from './openapi/openapi.builder.js';
import { registerDocs } from './openapi/docs.js';
import { API_PREFIX } from './openapi/route-table.js';

/** Nest's own log lines go through the same pino logger as requests, as structured JSON. */
class PinoNestLogger implements LoggerService {
  constructor(private readonly pino: FastifyBaseLogger) {}
  log(message: unknown, context?: string) {
    this.pino.info({ context }, String(message));
  }
  error(message: unknown, ...rest: unknown[]) {
    const context = rest.at(-1);
    // Nest passes either a string or (from our own loggers) an object of fields followed by a message.
    if (typeof message === 'string') this.pino.error({ context }, message);
    else
      this.pino.error({ context, ...(message as object) }, typeof rest[0] === 'string' ? rest[0] : 'error');
  }
  warn(message: unknown, context?: string) {
    this.pino.warn({ context }, String(message));
  }
  debug(message: unknown, context?: string) {
    this.pino.debug({ context }, String(message));
  }
  verbose(message: unknown, context?: string) {
    this.pino.trace({ context }, String(message));
  }
}

const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

/** Builds the fully configured API (not yet listening). Used by main.ts, the OpenAPI writer and the tests. */
export async function createApp(config: AppConfig): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    logger: {
      level: config.LOG_LEVEL,
      redact: ['req.headers.authorization', 'req.headers.cookie', 'req.headers["x-api-key"]'],
    },
    // Accept a caller's request id only when it is safe to echo into logs and headers.
    genReqId: (req: { headers: Record<string, string | string[] | undefined> }) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
    trustProxy: config.TRUST_PROXY,
    bodyLimit: 1024 * 1024,
  });
  const fastify = adapter.getInstance();
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.register(config), adapter, {
    rawBody: true,
    logger: new PinoNestLogger(fastify.log),
  });
  app.setGlobalPrefix(API_PREFIX);
  app.enableShutdownHooks();

  registerSecurityHeaders(fastify, {
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        styleSrc: ["'self'", "'unsafe-inline'"],
      },
    },
  });
  await app.register(fastifyCors, {
    origin: config.CORS_ORIGIN,
    credentials: true,
    exposedHeaders: ['x-request-id', 'x-ratelimit-limit', 'x-ratelimit-remaining', 'retry-after'],
  });
  await app.register(fastifyCookie);
  await app.register(fastifyMultipart, { limits: { fileSize: 50 * 1024 * 1024, files: 1 } });

  fastify.addHook('onSend', async (request, reply) => {
    void reply.header('x-request-id', request.id);
  });
  registerRateLimit(fastify, app.get(RateLimiterService), config.WEBHOOK_RATE_LIMIT_MAX);

  await app.init();
  if (config.API_DOCS) await registerDocs(fastify, buildOpenApi(app));
  return app;
}
