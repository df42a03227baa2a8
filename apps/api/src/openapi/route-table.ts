import { RequestMethod, type INestApplication, type Type } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants.js';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import type { ApiKeyScope, Role } from '@orbitdesk/shared';
import { PUBLIC_KEY, ROLES_KEY, SCOPES_KEY } from '../common/auth/access.decorators.js';
import { API_PREFIX } from '../common/http/api-prefix.js';
import { CONTRACT_KEY, type RouteContract } from '../common/http/contract.js';
import { DirectRoutes } from '../common/http/direct-routes.js';

export { API_PREFIX };

export interface RouteInfo {
  method: string;
  /** Full path in OpenAPI form: /api/v1/users/{id} */
  path: string;
  controller: string;
  handler: string;
  isPublic: boolean;
  roles?: Role[];
  scopes?: ApiKeyScope[];
  contract?: RouteContract;
}

const join = (...parts: string[]) =>
  '/' +
  parts
    .flatMap((p) => p.split('/'))
    .filter(Boolean)
    .join('/');

/** Every HTTP route of the app with its access policy and contract: the source of OpenAPI and of the guard test. */
export function listRoutes(app: INestApplication): RouteInfo[] {
  const discovery = app.get(DiscoveryService);
  const scanner = app.get(MetadataScanner);
  const reflector = app.get(Reflector);
  const routes: RouteInfo[] = [];
  for (const wrapper of discovery.getControllers()) {
    const type = wrapper.metatype as Type | undefined;
    if (!type || !wrapper.instance) continue;
    const base = (Reflect.getMetadata(PATH_METADATA, type) as string | undefined) ?? '';
    const proto = Object.getPrototypeOf(wrapper.instance) as Record<string, unknown>;
    for (const name of scanner.getAllMethodNames(proto)) {
      const handler = proto[name] as (...args: unknown[]) => unknown;
      const sub = Reflect.getMetadata(PATH_METADATA, handler) as string | undefined;
      const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
      if (sub === undefined || method === undefined) continue;
      const targets = [handler, type];
      routes.push({
        method: RequestMethod[method],
        path: join(API_PREFIX, base, sub).replace(/:([A-Za-z0-9_]+)/g, '{$1}'),
        controller: type.name,
        handler: name,
        isPublic: reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets) ?? false,
        roles: reflector.getAllAndOverride<Role[]>(ROLES_KEY, targets),
        scopes: reflector.getAllAndOverride<ApiKeyScope[]>(SCOPES_KEY, targets),
        contract: reflector.get<RouteContract>(CONTRACT_KEY, handler),
      });
    }
  }
  // Routes Fastify serves directly (common/http/direct-routes.ts): public by construction.
  for (const route of app.get(DirectRoutes, { strict: false }).list()) {
    routes.push({
      method: route.method,
      path: join(API_PREFIX, route.path).replace(/:([A-Za-z0-9_]+)/g, '{$1}'),
      controller: route.controller,
      handler: route.handler,
      isPublic: true,
      contract: route.contract,
    });
  }
  return routes.sort((a, b) => a.path.localeCompare(b.path) || a.method.localeCompare(b.method));
}
