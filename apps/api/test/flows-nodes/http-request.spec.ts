import type { IncomingMessage, ServerResponse } from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { fakeDns, startRecordingServer } from '../support/http-fakes.js';
import { SafeHttpClient } from '../../src/common/http-client/safe-http-client.js';
import { FlowNodeRegistry } from '../../src/modules/flows/engine/flow-node-registry.js';
import type { NodeResult } from '../../src/modules/flows/engine/node-handler.js';
import { HttpRequestNode } from '../../src/modules/flows/nodes/http-request.node.js';
import { makeNode, makeRunContext } from './context.js';

/** The API the tests call answers `{}` as JSON unless a test sets otherwise. */
const JSON_OK = (_req: IncomingMessage, res: ServerResponse) => {
  res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
};

const DNS = fakeDns({
  'api.shop.test': ['127.0.0.1'],
  'internal.shop.test': ['10.0.0.5'],
  'metadata.shop.test': ['169.254.169.254'],
});

const ctx = makeRunContext({
  vars: { orderId: 'A-17', token: 'secret-token-123456' },
  message: { id: 'm', type: 'text', text: 'where is "my" order?\\', content: {} },
});

const clients: SafeHttpClient[] = [];
/** A handler over its own SafeHttpClient: the default strict policy unless told otherwise. */
function handlerWith(options: ConstructorParameters<typeof SafeHttpClient>[0] = {}) {
  const client = new SafeHttpClient({ resolve: DNS, ...options });
  clients.push(client);
  return new HttpRequestNode(new FlowNodeRegistry(), client);
}

const call = (handler: HttpRequestNode, data: Record<string, unknown>, c = ctx) =>
  handler.execute(makeNode('http_request', { method: 'GET', ...data }), c);

const failure = (r: NodeResult) => (r.kind === 'fail' ? r.error : `not a failure: ${JSON.stringify(r)}`);

describe('http_request node', () => {
  let api: Awaited<ReturnType<typeof startRecordingServer>>;
  beforeAll(async () => {
    api = await startRecordingServer(JSON_OK);
  });
  afterEach(() => {
    api.state.seen = [];
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await api?.close();
  });

  describe('with private networks allowed (OUTBOUND_ALLOW_PRIVATE_NETWORKS=true)', () => {
    const handler = handlerWith({ allowPrivateNetworks: true });

    it('sends the rendered request and maps the JSON answer into variables', async () => {
      api.state.handle = (_req, res) => {
        res
          .writeHead(201, { 'content-type': 'application/json' })
          .end(JSON.stringify({ data: { id: 991, items: [{ sku: 'X1' }] }, ok: true }));
      };
      const r = await call(handler, {
        method: 'POST',
        url: `http://api.shop.test:${api.port}/orders/{{vars.orderId}}?q=1`,
        headers: { Authorization: 'Bearer {{vars.token}}', 'X-Contact': '{{contact.name}}' },
        body: '{"question": "{{message.text}}", "count": 2, "nested": ["{{vars.orderId}}"]}',
        responseMapping: { remoteId: 'data.id', sku: 'data.items.0.sku', nothing: 'data.missing' },
        statusVariable: 'httpStatus',
      });
      expect(r).toMatchObject({
        kind: 'next',
        vars: { remoteId: 991, sku: 'X1', nothing: null, httpStatus: 201 },
        output: { response: { status: 201 } },
      });
      expect(r.kind === 'next' && r.port).toBeUndefined();
      const [seen] = api.state.seen;
      expect(seen).toMatchObject({ method: 'POST', url: '/orders/A-17?q=1' });
      expect(seen!.headers.authorization).toBe('Bearer secret-token-123456');
      expect(seen!.headers['x-contact']).toBe('Ada Lovelace');
      expect(seen!.headers['content-type']).toBe('application/json');
      expect(JSON.parse(seen!.body)).toEqual({
        question: 'where is "my" order?\\',
        count: 2,
        nested: ['A-17'],
      });
    });

    it('sends a text body as written and GET without a body, for each method', async () => {
      for (const method of ['PUT', 'PATCH', 'DELETE']) {
        await call(handler, {
          method,
          url: `http://api.shop.test:${api.port}/x`,
          body: 'id={{vars.orderId}}',
        });
      }
      await call(handler, { url: `http://api.shop.test:${api.port}/x`, body: 'ignored' });
      expect(api.state.seen.map((s) => [s.method, s.body, s.headers['content-type']])).toEqual([
        ['PUT', 'id=A-17', 'text/plain; charset=utf-8'],
        ['PATCH', 'id=A-17', 'text/plain; charset=utf-8'],
        ['DELETE', 'id=A-17', 'text/plain; charset=utf-8'],
        ['GET', '', undefined],
      ]);
    });

    it('takes the error port on a non-2xx answer, keeping the status', async () => {
      api.state.handle = (_req, res) => {
        res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"no such order"}');
      };
      const r = await call(handler, {
        url: `http://api.shop.test:${api.port}/orders/1`,
        statusVariable: 'code',
        responseMapping: { e: 'error' },
      });
      expect(r).toMatchObject({
        kind: 'next',
        port: 'error',
        vars: { code: 404 },
        output: {
          error: expect.stringContaining('answered HTTP 404'),
          response: { body: '{"error":"no such order"}' },
        },
      });
    });

    it('takes the error port on a timeout and on an answer over the size bound', async () => {
      api.state.handle = () => undefined;
      const slow = await call(handler, { url: `http://api.shop.test:${api.port}/slow`, timeoutMs: 1000 });
      expect(slow).toMatchObject({
        port: 'error',
        output: { error: expect.stringContaining('timed out after 1000 ms') },
      });
      api.state.handle = (_req, res) => {
        res.writeHead(200).end(Buffer.alloc(1024 * 1024 + 10, 'x'));
      };
      const big = await call(handler, { url: `http://api.shop.test:${api.port}/big` });
      expect(big).toMatchObject({
        port: 'error',
        output: { error: expect.stringContaining('exceeds 1048576 bytes') },
      });
    });

    it('still refuses the cloud metadata address, directly or by redirect', async () => {
      expect(failure(await call(handler, { url: 'http://169.254.169.254/latest/meta-data/' }))).toContain(
        'cloud metadata address',
      );
      api.state.handle = (_req, res) => {
        res.writeHead(302, { location: 'http://metadata.shop.test/latest/meta-data/' }).end();
      };
      const r = await call(handler, { url: `http://api.shop.test:${api.port}/start` });
      expect(failure(r)).toMatch(/request was blocked.*metadata\.shop\.test resolves to a blocked address/);
    });
  });

  describe('with the default policy', () => {
    const handler = handlerWith();

    it.each([
      ['http://127.0.0.1:9/x', 'loopback address'],
      ['http://10.0.0.1/x', 'private address (10.0.0.0/8)'],
      ['http://169.254.169.254/latest/meta-data/', 'cloud metadata address'],
      ['http://[::1]:9/x', 'loopback address (::1)'],
      ['http://internal.shop.test/x', 'internal.shop.test resolves to a blocked address: 10.0.0.5'],
      ['http://api.shop.test:9/x', 'api.shop.test resolves to a blocked address: 127.0.0.1'],
      ['file:///etc/passwd', 'only http and https'],
      ['gopher://example.test/', 'only http and https'],
    ])('blocks %s', async (url, reason) => {
      const error = failure(await call(handler, { url }));
      expect(error).toContain('http_request node http_request_1: the request was blocked');
      expect(error).toContain(reason);
    });

    it('blocks a URL that a template turns into a private address', async () => {
      const c = makeRunContext({ vars: { host: '10.1.2.3' } });
      expect(failure(await call(handler, { url: 'http://{{vars.host}}/admin' }, c))).toContain('10.0.0.0/8');
    });

    it('blocks a redirect to a private address from an allowed server', async () => {
      const onlyLoopback = handlerWith({ isAllowedAddress: (ip) => ip === '127.0.0.1' });
      for (const location of ['http://10.0.0.1/admin', 'http://internal.shop.test/admin', 'http://[::1]/']) {
        api.state.handle = (_req, res) => {
          res.writeHead(302, { location }).end();
        };
        const error = failure(await call(onlyLoopback, { url: `http://127.0.0.1:${api.port}/start` }));
        expect(error, location).toContain('the request was blocked');
      }
      expect(api.state.seen).toHaveLength(3);
    });
  });

  it('in test mode calls nothing and shows what would be sent, credentials masked', async () => {
    const handler = handlerWith({ allowPrivateNetworks: true });
    const r = await call(
      handler,
      {
        method: 'POST',
        url: `http://api.shop.test:${api.port}/orders`,
        headers: { Authorization: 'Bearer {{vars.token}}' },
        body: '{"id": "{{vars.orderId}}"}',
      },
      { ...ctx, testMode: true },
    );
    expect(r).toEqual({
      kind: 'next',
      output: {
        testMode: true,
        wouldSend: {
          method: 'POST',
          url: `http://api.shop.test:${api.port}/orders`,
          headers: { Authorization: '…3456', 'content-type': 'application/json' },
          body: '{"id":"A-17"}',
        },
      },
    });
    expect(api.state.seen).toEqual([]);
  });

  it('fails with the field named for bad settings and header injection', async () => {
    const handler = handlerWith();
    const cases: [Record<string, unknown>, string][] = [
      [{}, 'data.url'],
      [{ url: 'http://x.test', method: 'TRACE' }, 'data.method'],
      [{ url: 'http://x.test', timeoutMs: 60_000 }, 'data.timeoutMs'],
      [{ url: 'http://x.test', headers: { Host: 'a' } }, 'headers.Host: is set by the HTTP client'],
      [
        { url: 'http://x.test', headers: { 'Bad Name': 'a' } },
        'headers.Bad Name: is not a valid header name',
      ],
      [{ url: 'http://x.test', responseMapping: { 'not a name': 'a' } }, 'data.responseMapping'],
      [{ url: 'http://x.test', statusVariable: '__loop' }, 'data.statusVariable'],
    ];
    for (const [data, field] of cases) expect(failure(await call(handler, data)), field).toContain(field);
    const injected = makeRunContext({
      message: { id: 'm', type: 'text', text: 'x\r\nX-Admin: 1', content: {} },
    });
    const r = await call(handler, { url: 'http://x.test', headers: { 'X-Q': '{{message.text}}' } }, injected);
    expect(failure(r)).toContain('headers.X-Q: the value contains a line break');
  });
});
