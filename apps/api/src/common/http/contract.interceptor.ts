import {
  Injectable,
  Logger,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { map, type Observable } from 'rxjs';
import { CONTRACT_KEY, type RouteContract } from './contract.js';
import { describeIssues, validationError, type FieldIssue } from './errors.js';

type Part = 'params' | 'query' | 'body';

/**
 * Validates the request's params, query and body against the contract, replacing each with its parsed value;
 * throws one 400 that names every field that failed.
 */
export function checkRequest(contract: RouteContract, req: Record<Part, unknown>): void {
  const issues: FieldIssue[] = [];
  for (const part of ['params', 'query', 'body'] as const) {
    const schema = contract[part];
    if (!schema) continue;
    const input = part === 'body' && req.body === undefined ? {} : req[part];
    const parsed = schema.safeParse(input);
    if (parsed.success) req[part] = parsed.data;
    else issues.push(...describeIssues(part, parsed.error));
  }
  if (issues.length) throw validationError(issues);
}

/** The handler's result as its contract describes it. A result that breaks its own contract is our bug. */
export function checkResponse(contract: RouteContract, value: unknown, logger: Logger, url: string): unknown {
  if (!contract.response) return value;
  const parsed = contract.response.safeParse(value);
  if (parsed.success) return parsed.data;
  // Fail loudly rather than send unchecked data.
  logger.error({ issues: parsed.error.issues, url }, 'response does not match its contract');
  throw new Error('Response failed contract validation');
}

/** Validates params, query and body against the route's contract before the handler, and the response after. */
@Injectable()
export class ContractInterceptor implements NestInterceptor {
  private readonly logger = new Logger('ContractInterceptor');

  constructor(private readonly reflector: Reflector) {}

  intercept(ctx: ExecutionContext, next: CallHandler): Observable<unknown> {
    const contract = this.reflector.get<RouteContract | undefined>(CONTRACT_KEY, ctx.getHandler());
    if (!contract) return next.handle();
    const req = ctx.switchToHttp().getRequest<FastifyRequest & Record<Part, unknown>>();
    checkRequest(contract, req);
    if (!contract.response) return next.handle();
    return next.handle().pipe(map((value: unknown) => checkResponse(contract, value, this.logger, req.url)));
  }
}
