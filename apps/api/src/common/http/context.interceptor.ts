import { Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { Observable } from 'rxjs';
import type { Principal } from '../auth/principal.js';
import { requestContext } from '../tenancy/request-context.js';

/**
 * Opens the request's AsyncLocalStorage scope after the guard has verified the caller, so services and TenantDb
 * see the tenant of the verified credentials and nothing else.
 */
@Injectable()
export class ContextInterceptor implements NestInterceptor {
  intercept(ctx: ExecutionContext, next: CallHandler): Observable<unknown> {
    const req = ctx.switchToHttp().getRequest<FastifyRequest & { principal?: Principal }>();
    const principal = req.principal;
    const tenantId = principal && principal.kind !== 'platform_admin' ? principal.tenantId : undefined;
    const store = { requestId: String(req.id), ip: req.ip ?? null, principal, tenantId };
    return new Observable((subscriber) =>
      requestContext.run(store, () => next.handle().subscribe(subscriber)),
    );
  }
}
