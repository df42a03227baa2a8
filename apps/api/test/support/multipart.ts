import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { randomBytes } from 'node:crypto';
import type { HttpResult } from './test-app.js';

export type Part =
  | { kind: 'file'; name: string; fileName: string; contentType?: string; data: Buffer }
  | { kind: 'field'; name: string; value: string };

/** A multipart/form-data body, byte for byte as a browser sends it. */
export function multipartBody(parts: Part[]): { payload: Buffer; contentType: string } {
  const boundary = `----orbitdesk${randomBytes(8).toString('hex')}`;
  const chunks: Buffer[] = [];
  for (const part of parts) {
    const disposition =
      part.kind === 'file'
        ? `form-data; name="${part.name}"; filename="${part.fileName.replace(/"/g, '%22')}"`
        : `form-data; name="${part.name}"`;
    const type =
      part.kind === 'file' ? `Content-Type: ${part.contentType ?? 'application/octet-stream'}\r\n` : '';
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: ${disposition}\r\n${type}\r\n`));
    chunks.push(part.kind === 'file' ? part.data : Buffer.from(part.value));
    chunks.push(Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}` };
}

/** POSTs a multipart body through Fastify's injector, like `http()` does for JSON. */
export async function postMultipart<T = any>(
  app: NestFastifyApplication,
  url: string,
  parts: Part[],
  auth: { token?: string; apiKey?: string } = {},
): Promise<HttpResult<T>> {
  const { payload, contentType } = multipartBody(parts);
  const headers: Record<string, string> = { 'content-type': contentType };
  if (auth.token) headers.authorization = `Bearer ${auth.token}`;
  if (auth.apiKey) headers['x-api-key'] = auth.apiKey;
  const res = await app.getHttpAdapter().getInstance().inject({ method: 'POST', url, headers, payload });
  let body: unknown = res.body;
  try {
    body = res.body ? JSON.parse(res.body) : undefined;
  } catch {
    // non-JSON bodies are returned as text
  }
  return { status: res.statusCode, body: body as T, headers: res.headers };
}

/** GETs a URL and returns the raw bytes (downloads are not JSON). */
export async function getRaw(app: NestFastifyApplication, url: string) {
  const res = await app.getHttpAdapter().getInstance().inject({ method: 'GET', url });
  return { status: res.statusCode, bytes: res.rawPayload, headers: res.headers, text: res.body };
}
