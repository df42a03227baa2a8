import { AsyncLocalStorage } from 'node:async_hooks';
import type { Principal } from '../auth/principal.js';

export interface RequestContext {
  requestId?: string;
  ip?: string | null;
  principal?: Principal;
  /** Set only from verified credentials (JWT or API key) or by trusted server code (jobs, webhook routing). */
  tenantId?: string;
}

const storage = new AsyncLocalStorage<RequestContext>();

export const requestContext = {
  run<T>(ctx: RequestContext, fn: () => T): T {
    return storage.run(ctx, fn);
  },
  get(): RequestContext | undefined {
    return storage.getStore();
  },
  /** The current tenant; throws when code that needs a tenant runs outside one (a programming error, not a 4xx). */
  tenantId(): string {
    const id = storage.getStore()?.tenantId;
    if (!id) throw new Error('No tenant in context: tenant-scoped code ran outside a tenant request or job');
    return id;
  },
};
