import type { INestApplication } from '@nestjs/common';
import { STATUS_CODES } from 'node:http';
import { z } from 'zod';
import { ZErrorResponse } from '@orbitdesk/shared';
import { listRoutes, type RouteInfo } from './route-table.js';

type JsonSchema = Record<string, unknown>;

const toSchema = (schema: z.ZodType, io: 'input' | 'output'): JsonSchema => {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as JsonSchema;
  return rest;
};

/** Query and path schemas become one OpenAPI parameter per property. */
function parameters(schema: z.ZodType | undefined, location: 'query' | 'path'): JsonSchema[] {
  if (!schema) return [];
  const json = toSchema(schema, 'input');
  const props = (json.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((json.required as string[] | undefined) ?? []);
  return Object.entries(props).map(([name, s]) => ({
    name,
    in: location,
    required: location === 'path' || required.has(name),
    schema: s,
    ...(typeof s.description === 'string' ? { description: s.description } : {}),
  }));
}

function uploadBody(upload: { field: string; description: string }): JsonSchema {
  return {
    required: true,
    content: {
      'multipart/form-data': {
        schema: {
          type: 'object',
          required: [upload.field],
          properties: {
            [upload.field]: { type: 'string', format: 'binary', description: upload.description },
          },
        },
      },
    },
  };
}

function security(route: RouteInfo): JsonSchema[] | undefined {
  if (route.isPublic) return [];
  const options: JsonSchema[] = [];
  if (route.roles) options.push({ bearer: [] });
  if (route.scopes) options.push({ apiKey: route.scopes });
  return options;
}

function describeAccess(route: RouteInfo): string {
  if (route.isPublic) return 'Public.';
  const parts: string[] = [];
  if (route.roles) parts.push(`Roles: ${route.roles.join(', ')} (or higher).`);
  if (route.scopes)
    parts.push(
      route.scopes.length
        ? `API-key scopes: ${route.scopes.join(', ')}.`
        : 'Any valid API key (no scope needed).',
    );
  else parts.push('Not available to API keys.');
  return parts.join(' ');
}

function operation(route: RouteInfo): JsonSchema {
  const c = route.contract;
  const status = String(c?.status ?? (route.method === 'POST' ? 201 : 200));
  const errorRef = { $ref: '#/components/schemas/Error' };
  const responses: JsonSchema = {
    [status]: c?.response
      ? {
          description: STATUS_CODES[Number(status)] ?? 'OK',
          content: { 'application/json': { schema: toSchema(c.response, 'output') } },
        }
      : { description: STATUS_CODES[Number(status)] ?? 'OK' },
  };
  const errors: Record<number, string | undefined> = {
    ...(c?.params || c?.query || c?.body ? { 400: 'Validation failed; the message names each field' } : {}),
    ...(route.isPublic
      ? {}
      : { 401: 'Missing, invalid or expired credentials', 403: 'Role or scope not sufficient' }),
    ...(c?.params ? { 404: 'Not found (also for records of other tenants)' } : {}),
    429: 'Rate limit exceeded',
    ...(c?.errors ?? {}),
  };
  for (const [code, description] of Object.entries(errors)) {
    if (!description) continue;
    responses[code] = { description, content: { 'application/json': { schema: errorRef } } };
  }
  return {
    operationId: `${route.controller.replace(/Controller$/, '')}_${route.handler}`,
    summary: c?.summary ?? route.handler,
    description: [c?.description, describeAccess(route)].filter(Boolean).join('\n\n'),
    tags: c?.tags ?? [route.controller.replace(/Controller$/, '')],
    parameters: [...parameters(c?.params, 'path'), ...parameters(c?.query, 'query')],
    ...(c?.body
      ? {
          requestBody: {
            required: true,
            content: { 'application/json': { schema: toSchema(c.body, 'input') } },
          },
        }
      : {}),
    ...(c?.upload ? { requestBody: uploadBody(c.upload) } : {}),
    responses,
    security: security(route),
  };
}

/** The OpenAPI 3.1 document, generated from the routes and their zod contracts. Deterministic, so it can be diffed. */
export function buildOpenApi(app: INestApplication): JsonSchema {
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const route of listRoutes(app)) {
    (paths[route.path] ??= {})[route.method.toLowerCase()] = operation(route);
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'OrbitDesk API',
      version: '1',
      description:
        'Multi-tenant omnichannel customer support. Authenticate with `Authorization: Bearer <access token>` ' +
        '(from /api/v1/auth/login) or `X-Api-Key: wcrm_…` (scoped keys from /api/v1/api-keys). Every response ' +
        'carries X-RateLimit-Limit and X-RateLimit-Remaining; errors share one shape.',
    },
    servers: [{ url: '/' }],
    paths,
    components: {
      schemas: { Error: toSchema(ZErrorResponse, 'output') },
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
        apiKey: { type: 'apiKey', in: 'header', name: 'X-Api-Key' },
      },
    },
  };
}
