import { Injectable, type OnModuleInit } from '@nestjs/common';
import { ZHttpRequestNodeData } from '@orbitdesk/shared';
import { z } from 'zod';
import { SsrfBlockedError } from '../../../common/http-client/http-client.errors.js';
import { SafeHttpClient, type SafeResponse } from '../../../common/http-client/safe-http-client.js';
import { FlowNodeRegistry } from '../engine/flow-node-registry.js';
import type { FlowNode, FlowRunContext, NodeHandler, NodeResult } from '../engine/node-handler.js';
import { renderTemplate, renderValue } from './template.js';
import { fail, parseNodeData } from './util/node-data.js';
import { getDottedPath, isPlainObject } from './util/path.js';
import { maskHeaders } from './util/secrets.js';

/** The port taken on a non-2xx answer, a timeout or a connection failure (see docs/flow-nodes.md). */
export const HTTP_ERROR_PORT = 'error';
export const MAX_RESPONSE_BYTES = 1024 * 1024;
const MAX_BODY_BYTES = 256 * 1024;
/** How much of an answer is kept in the run's log. */
const PREVIEW_CHARS = 2_000;

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,100}$/;
/** Framing headers belong to the HTTP client; a tenant setting them could split or smuggle requests. */
const RESERVED_HEADERS = new Set([
  'host',
  'content-length',
  'transfer-encoding',
  'connection',
  'keep-alive',
  'upgrade',
  'te',
  'trailer',
  'expect',
]);

/** packages/shared ZHttpRequestNodeData; header names are checked here, where they are used. */
export const ZHttpRequestData = ZHttpRequestNodeData;
export type HttpRequestData = z.infer<typeof ZHttpRequestData>;

interface PreparedRequest {
  method: HttpRequestData['method'];
  url: string;
  headers: Record<string, string>;
  body?: string;
}

function prepare(data: HttpRequestData, ctx: FlowRunContext): PreparedRequest | { error: string } {
  const headers: Record<string, string> = {};
  for (const [name, template] of Object.entries(data.headers)) {
    if (!HEADER_NAME.test(name)) return { error: `headers.${name}: is not a valid header name` };
    if (RESERVED_HEADERS.has(name.toLowerCase()))
      return { error: `headers.${name}: is set by the HTTP client` };
    const value = renderTemplate(template, ctx);
    // A contact's text inside a header must not be able to add a header line of its own.
    if (/[\r\n\0]/.test(value)) return { error: `headers.${name}: the value contains a line break` };
    headers[name] = value;
  }
  let body: string | undefined;
  if (data.body !== undefined && data.method !== 'GET') {
    const json = jsonTemplate(data.body);
    // A JSON body is rendered inside its strings, so a value with quotes in it cannot break the document.
    body = json === undefined ? renderTemplate(data.body, ctx) : JSON.stringify(renderValue(json, ctx));
    const hasType = Object.keys(headers).some((k) => k.toLowerCase() === 'content-type');
    if (!hasType)
      headers['content-type'] = json === undefined ? 'text/plain; charset=utf-8' : 'application/json';
    if (Buffer.byteLength(body) > MAX_BODY_BYTES)
      return { error: `body: larger than ${MAX_BODY_BYTES} bytes` };
  }
  return { method: data.method, url: renderTemplate(data.url, ctx).trim(), headers, body };
}

/** The body as a JSON object or array when it is one (before rendering), so templates go inside its strings. */
function jsonTemplate(body: string): unknown {
  const trimmed = body.trim();
  if (!trimmed.startsWith('{') && !trimmed.startsWith('[')) return undefined;
  try {
    const value = JSON.parse(trimmed) as unknown;
    return isPlainObject(value) || Array.isArray(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

function parseJson(res: SafeResponse): unknown {
  try {
    return JSON.parse(res.text()) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * HTTP Request: a call to an outside API through SafeHttpClient, the one client for tenant-chosen URLs
 * (addresses checked when the socket opens, so DNS rebinding cannot reach the inside; every redirect
 * re-checked; size and time bounded). A blocked destination fails the run; an answer that is not 2xx, a timeout
 * or an unreachable server takes the `error` port, so the flow can handle it.
 */
@Injectable()
export class HttpRequestNode implements NodeHandler, OnModuleInit {
  readonly type = 'http_request';

  constructor(
    private readonly registry: FlowNodeRegistry,
    private readonly http: SafeHttpClient,
  ) {}

  onModuleInit(): void {
    this.registry.register(this);
  }

  async execute(node: FlowNode, ctx: FlowRunContext): Promise<NodeResult> {
    const parsed = parseNodeData(ZHttpRequestData, node);
    if (!parsed.ok) return parsed.result;
    const data = parsed.data;
    const request = prepare(data, ctx);
    if ('error' in request) return fail(node, request.error);
    const shown = { ...request, headers: maskHeaders(request.headers) };
    if (ctx.testMode) return { kind: 'next', output: { testMode: true, wouldSend: shown } };

    let res: SafeResponse;
    try {
      res = await this.http.request(request.url, {
        method: request.method,
        headers: request.headers,
        body: request.body,
        timeoutMs: data.timeoutMs,
        maxResponseBytes: MAX_RESPONSE_BYTES,
      });
    } catch (err) {
      if (err instanceof SsrfBlockedError) return fail(node, `the request was blocked. ${err.message}`);
      const error = `${request.method} ${request.url} failed: ${(err as Error).message}`;
      return { kind: 'next', port: HTTP_ERROR_PORT, output: { error } };
    }

    const status = data.statusVariable ? { [data.statusVariable]: res.status } : {};
    const response = { status: res.status, url: res.url, body: res.text().slice(0, PREVIEW_CHARS) };
    if (res.status < 200 || res.status > 299) {
      const error = `${request.method} ${request.url} answered HTTP ${res.status}`;
      return { kind: 'next', port: HTTP_ERROR_PORT, vars: status, output: { error, response } };
    }
    const mappings = Object.entries(data.responseMapping);
    const json = mappings.length ? parseJson(res) : undefined;
    const mapped = Object.fromEntries(
      mappings.map(([variable, path]) => [variable, getDottedPath(json, path) ?? null] as const),
    );
    return { kind: 'next', vars: { ...mapped, ...status }, output: { response, mapped } };
  }
}
