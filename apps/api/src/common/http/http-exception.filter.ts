import { Catch, HttpException, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { STATUS_CODES } from 'node:http';
import { AppError } from './errors.js';

export interface ErrorBody {
  statusCode: number;
  error: string;
  message: string;
  details?: unknown;
}

/** Shapes any thrown value into the one error body; unexpected errors are logged and never leak their stack. */
export function toErrorBody(err: unknown): { body: ErrorBody; headers?: Record<string, string> } {
  if (err instanceof AppError) {
    const statusCode = err.getStatus();
    return {
      body: {
        statusCode,
        error: STATUS_CODES[statusCode] ?? 'Error',
        message: err.message,
        details: err.details,
      },
      headers: err.headers,
    };
  }
  if (err instanceof HttpException) {
    const statusCode = err.getStatus();
    const res = err.getResponse();
    const message =
      typeof res === 'string'
        ? res
        : typeof res === 'object' && res && 'message' in res
          ? String(res.message)
          : err.message;
    return { body: { statusCode, error: STATUS_CODES[statusCode] ?? 'Error', message } };
  }
  // Fastify's own errors (bad JSON, body too large, unsupported media type) carry a 4xx statusCode.
  const fastifyStatus = (err as { statusCode?: unknown })?.statusCode;
  if (typeof fastifyStatus === 'number' && fastifyStatus >= 400 && fastifyStatus < 500) {
    return {
      body: {
        statusCode: fastifyStatus,
        error: STATUS_CODES[fastifyStatus] ?? 'Error',
        message: (err as Error).message,
      },
    };
  }
  return { body: { statusCode: 500, error: 'Internal Server Error', message: 'Internal server error' } };
}

/** Answers `request` with the error body of `exception`; unexpected (5xx) errors are logged with the request id. */
export function replyWithError(
  exception: unknown,
  request: FastifyRequest,
  reply: FastifyReply,
  logger: Logger,
): FastifyReply {
  const { body, headers } = toErrorBody(exception);
  if (body.statusCode >= 500) {
    logger.error(
      { err: exception, reqId: request.id, url: request.url },
      exception instanceof Error ? exception.message : 'non-error thrown',
    );
  }
  if (headers) void reply.headers(headers);
  return reply.status(body.statusCode).send(body);
}

@Catch()
export class HttpExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpExceptionFilter');

  catch(exception: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    void replyWithError(
      exception,
      ctx.getRequest<FastifyRequest>(),
      ctx.getResponse<FastifyReply>(),
      this.logger,
    );
  }
}
