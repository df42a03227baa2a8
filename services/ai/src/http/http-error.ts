import { STATUS_CODES } from 'node:http';
import type { FastifyError, FastifyInstance } from 'fastify';
import type { z } from 'zod';
import { ProviderError } from '../providers/provider.js';

/** An error whose message is safe to show the caller (the API), answered as {statusCode, error, message}. */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
  ) {
    super(message);
  }
}

export interface ErrorBody {
  statusCode: number;
  error: string;
  message: string;
}

export function errorBody(statusCode: number, message: string): ErrorBody {
  return { statusCode, error: STATUS_CODES[statusCode] ?? 'Error', message };
}

/** Parses a body with its contract; a refusal names every offending field. */
export function parseBody<S extends z.ZodType>(schema: S, body: unknown): z.output<S> {
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  const lines = parsed.error.issues.map((issue) => {
    const path = ['body', ...issue.path.map(String)].join('.');
    if (issue.code === 'unrecognized_keys') {
      return `${path}: unknown propert${issue.keys.length > 1 ? 'ies' : 'y'} ${issue.keys.join(', ')}`;
    }
    return `${path}: ${issue.message}`;
  });
  throw new HttpError(400, `Validation failed: ${lines.join('; ')}`);
}

/**
 * How a provider failure reaches the API. A refusal the caller can fix (a bad key, an unknown model, a provider
 * that cannot embed) is a 400 naming the provider; a provider that stayed down after retries, or could not be
 * reached, is a 502. The provider's own 401 is never passed on as 401: that status means the internal token.
 */
export function providerErrorStatus(err: ProviderError): number {
  if (err.status !== null && err.status >= 400 && err.status < 500 && err.status !== 429) return 400;
  return 502;
}

export function registerErrorHandling(app: FastifyInstance): void {
  app.setNotFoundHandler((request, reply) => {
    void reply.code(404).send(errorBody(404, `Route ${request.method} ${request.url} not found`));
  });

  app.setErrorHandler((err: FastifyError | Error, request, reply) => {
    if (err instanceof HttpError) {
      return reply.code(err.statusCode).send(errorBody(err.statusCode, err.message));
    }
    if (err instanceof ProviderError) {
      const status = providerErrorStatus(err);
      request.log.warn({ providerStatus: err.status, err: err.message }, 'provider call failed');
      return reply.code(status).send(errorBody(status, err.message));
    }
    // Fastify's own refusals (malformed JSON, body too large, unsupported media type) carry their status.
    const status = 'statusCode' in err && typeof err.statusCode === 'number' ? err.statusCode : 500;
    if (status >= 500) {
      request.log.error({ err }, 'request failed');
      return reply.code(status).send(errorBody(status, 'Internal error'));
    }
    return reply.code(status).send(errorBody(status, err.message));
  });
}
