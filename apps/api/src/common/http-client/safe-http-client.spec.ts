import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { fakeDns, startRecordingServer } from '../../../test/support/http-fakes.js';
import {
  NetworkError,
  ResponseTooLargeError,
  SsrfBlockedError,
  TimeoutError,
  TooManyRedirectsError,
} from './http-client.errors.js';
import { SafeHttpClient, safeRequest, type Resolver } from './safe-http-client.js';

describe('SafeHttpClient', () => {
  let srv: Awaited<ReturnType<typeof startRecordingServer>>;
  let other: Awaited<ReturnType<typeof startRecordingServer>>;
  const clients: SafeHttpClient[] = [];
  const client = (...args: ConstructorParameters<typeof SafeHttpClient>) => {
    const c = new SafeHttpClient(...args);
    clients.push(c);
    return c;
  };
  /** Allows exactly the loopback test servers, as a stand-in for "a public address". */
  const onlyLoopback = (ip: string) => ip === '127.0.0.1';

  beforeAll(async () => {
    srv = await startRecordingServer();
    other = await startRecordingServer();
  });
  afterEach(() => {
    srv.state.seen.length = 0;
    other.state.seen.length = 0;
    srv.state.handle = (_req, res) => res.end('ok');
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await srv.close();
    await other.close();
  });

  describe('destinations', () => {
    it.each([
      'http://127.0.0.1/',
      'http://127.1.2.3:8080/x',
      'http://0x7f000001/',
      'http://2130706433/',
      'http://10.0.0.1/',
      'http://172.16.5.4/',
      'http://192.168.1.1/',
      'http://100.64.0.1/',
      'http://0.0.0.0/',
      'http://169.254.169.254/latest/meta-data/',
      'http://224.0.0.1/',
      'http://[::1]/',
      'http://[::]/',
      'http://[fe80::1]/',
      'http://[fd00:ec2::254]/',
      'http://[fc00::1]/',
      'http://[::ffff:127.0.0.1]/',
      'http://[::ffff:a9fe:a9fe]/',
      'https://[::ffff:10.0.0.1]/',
    ])('refuses the literal address in %s before connecting', async (url) => {
      const err = await client()
        .request(url)
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(SsrfBlockedError);
      expect((err as SsrfBlockedError).reason).toMatch(/ is (a|an|the) /);
    });

    it('refuses a loopback server by default and reaches it when private networks are allowed', async () => {
      await expect(client().request(`${srv.origin}/`)).rejects.toBeInstanceOf(SsrfBlockedError);
      expect(srv.state.seen).toHaveLength(0);
      const res = await client({ allowPrivateNetworks: true }).request(`${srv.origin}/`);
      expect(res.status).toBe(200);
      expect(res.text()).toBe('ok');
    });

    it('keeps the cloud metadata address blocked even when private networks are allowed', async () => {
      const c = client({ allowPrivateNetworks: true });
      await expect(c.request('http://169.254.169.254/')).rejects.toBeInstanceOf(SsrfBlockedError);
      await expect(c.request('http://[fd00:ec2::254]/')).rejects.toBeInstanceOf(SsrfBlockedError);
    });

    it('refuses a hostname that resolves to a private address, at connection time', async () => {
      const c = client({ resolve: fakeDns({ 'internal.test': ['10.0.0.7'], 'loop.test': ['127.0.0.1'] }) });
      const err = (await c.request('http://internal.test/').catch((e: unknown) => e)) as SsrfBlockedError;
      expect(err).toBeInstanceOf(SsrfBlockedError);
      expect(err.reason).toBe(
        'internal.test resolves to a blocked address: 10.0.0.7 is a private address (10.0.0.0/8)',
      );
      await expect(c.request(`http://loop.test:${srv.port}/`)).rejects.toBeInstanceOf(SsrfBlockedError);
      expect(srv.state.seen).toHaveLength(0);
    });

    it('refuses a name with one private address among public ones', async () => {
      const c = client({ resolve: fakeDns({ 'mixed.test': ['8.8.8.8', '::1'] }) });
      await expect(c.request('http://mixed.test/')).rejects.toBeInstanceOf(SsrfBlockedError);
    });

    it('is not fooled by DNS rebinding: a name that passed the pre-check is re-checked when dialled', async () => {
      let calls = 0;
      const rebinding: Resolver = () =>
        Promise.resolve([{ address: calls++ === 0 ? '93.184.215.14' : '127.0.0.1', family: 4 }]);
      const c = client({ resolve: rebinding });
      await expect(c.assertAllowedUrl(`http://rebind.test:${srv.port}/`)).resolves.toBeUndefined();
      await expect(c.request(`http://rebind.test:${srv.port}/`)).rejects.toBeInstanceOf(SsrfBlockedError);
      expect(srv.state.seen).toHaveLength(0);
    });

    it('connects through a fake-resolved hostname the policy allows', async () => {
      const c = client({
        isAllowedAddress: onlyLoopback,
        resolve: fakeDns({ 'public.test': ['127.0.0.1'] }),
      });
      const res = await c.request(`http://public.test:${srv.port}/hello`);
      expect(res.status).toBe(200);
      expect(srv.state.seen[0]).toMatchObject({
        url: '/hello',
        headers: { host: `public.test:${srv.port}` },
      });
    });

    it.each(['ftp://example.com/file', 'file:///etc/passwd', 'gopher://example.com/', 'javascript:alert(1)'])(
      'allows only http and https: %s is refused',
      async (url) => {
        const err = (await client()
          .request(url)
          .catch((e: unknown) => e)) as SsrfBlockedError;
        expect(err).toBeInstanceOf(SsrfBlockedError);
        expect(err.reason).toMatch(/^only http and https URLs are allowed/);
      },
    );

    it('rejects a string that is not a URL', async () => {
      await expect(client().request('not a url')).rejects.toBeInstanceOf(SsrfBlockedError);
    });
  });

  describe('assertAllowedUrl', () => {
    const c = () =>
      client({
        resolve: fakeDns({ 'ok.test': ['93.184.215.14'], 'bad.test': ['192.168.0.10'], 'six.test': ['::1'] }),
      });

    it('passes public addresses and names that do not resolve yet', async () => {
      await expect(c().assertAllowedUrl('https://ok.test/hook')).resolves.toBeUndefined();
      await expect(c().assertAllowedUrl('https://93.184.215.14/hook')).resolves.toBeUndefined();
      await expect(c().assertAllowedUrl('https://nowhere.test/hook')).resolves.toBeUndefined();
    });

    it('refuses private literals, private names and other schemes', async () => {
      for (const url of [
        'https://bad.test/hook',
        'https://six.test/hook',
        'http://10.0.0.1/',
        'http://[::1]/',
        'ftp://ok.test/',
      ]) {
        await expect(c().assertAllowedUrl(url), url).rejects.toBeInstanceOf(SsrfBlockedError);
      }
    });
  });

  describe('redirects', () => {
    const redirectTo = (location: string, status = 302) =>
      (srv.state.handle = (req, res) => {
        if (req.url === '/final') return void res.end(`final via ${req.method}`);
        res.writeHead(status, { location });
        res.end();
      });

    it.each(['http://169.254.169.254/latest/meta-data/', 'http://10.0.0.1/admin', 'http://[::1]/'])(
      'a redirect from an allowed host to %s is blocked',
      async (target) => {
        redirectTo(target);
        const c = client({ isAllowedAddress: onlyLoopback });
        const err = (await c.request(`${srv.origin}/start`).catch((e: unknown) => e)) as SsrfBlockedError;
        expect(err).toBeInstanceOf(SsrfBlockedError);
        expect(srv.state.seen).toHaveLength(1);
      },
    );

    it('a redirect to a hostname that resolves privately is blocked when dialled', async () => {
      redirectTo('http://sneaky.test/');
      const c = client({
        isAllowedAddress: onlyLoopback,
        resolve: fakeDns({ 'sneaky.test': ['169.254.169.254'] }),
      });
      const err = (await c.request(`${srv.origin}/start`).catch((e: unknown) => e)) as SsrfBlockedError;
      expect(err).toBeInstanceOf(SsrfBlockedError);
      expect(err.reason).toContain('sneaky.test resolves to a blocked address: 169.254.169.254');
    });

    it('follows allowed redirects; 303 continues as GET without the body; 307 keeps method and body', async () => {
      const c = client({ isAllowedAddress: onlyLoopback });
      redirectTo('/final', 303);
      const res = await c.request(`${srv.origin}/start`, { method: 'POST', body: 'payload' });
      expect(res.text()).toBe('final via GET');
      expect(res.url).toBe(`${srv.origin}/final`);
      expect(srv.state.seen.map((s) => [s.method, s.body])).toEqual([
        ['POST', 'payload'],
        ['GET', ''],
      ]);
      srv.state.seen.length = 0;
      redirectTo('/final', 307);
      const kept = await c.request(`${srv.origin}/start`, { method: 'POST', body: 'payload' });
      expect(kept.text()).toBe('final via POST');
      expect(srv.state.seen[1]).toMatchObject({ method: 'POST', body: 'payload' });
    });

    it('drops credentials when a redirect leaves the origin', async () => {
      redirectTo(`${other.origin}/elsewhere`);
      const c = client({ isAllowedAddress: onlyLoopback });
      await c.request(`${srv.origin}/start`, { headers: { authorization: 'Bearer secret', 'x-keep': '1' } });
      expect(srv.state.seen[0]!.headers.authorization).toBe('Bearer secret');
      expect(other.state.seen[0]!.headers.authorization).toBeUndefined();
      expect(other.state.seen[0]!.headers['x-keep']).toBe('1');
    });

    it('stops after 5 redirects', async () => {
      redirectTo('/loop');
      const c = client({ isAllowedAddress: onlyLoopback });
      await expect(c.request(`${srv.origin}/loop`)).rejects.toBeInstanceOf(TooManyRedirectsError);
      expect(srv.state.seen).toHaveLength(6);
    });

    it('with maxRedirects 0 returns the 3xx as it is', async () => {
      redirectTo('http://169.254.169.254/');
      const res = await client({ isAllowedAddress: onlyLoopback }).request(`${srv.origin}/start`, {
        maxRedirects: 0,
      });
      expect(res.status).toBe(302);
      expect(res.headers.location).toBe('http://169.254.169.254/');
    });
  });

  describe('limits', () => {
    it('caps the response body at 1 MiB by default and at the per-call limit', async () => {
      const c = client({ isAllowedAddress: onlyLoopback });
      srv.state.handle = (_req, res) => res.end(Buffer.alloc(1024 * 1024 + 1, 97));
      const big = (await c.request(`${srv.origin}/`).catch((e: unknown) => e)) as ResponseTooLargeError;
      expect(big).toBeInstanceOf(ResponseTooLargeError);
      expect(big.limitBytes).toBe(1024 * 1024);

      srv.state.handle = (_req, res) => res.end(Buffer.alloc(1024 * 1024, 97));
      expect((await c.request(`${srv.origin}/`)).body.length).toBe(1024 * 1024);

      // Streamed without a content-length: the limit is enforced while reading.
      srv.state.handle = (_req, res) => {
        res.write('x'.repeat(60));
        res.end('y'.repeat(60));
      };
      await expect(c.request(`${srv.origin}/`, { maxResponseBytes: 100 })).rejects.toBeInstanceOf(
        ResponseTooLargeError,
      );
      expect((await c.request(`${srv.origin}/`, { maxResponseBytes: 120 })).body.length).toBe(120);
    });

    it('bounds the whole exchange in time: a slow answer and a trickling body both time out', async () => {
      const c = client({ isAllowedAddress: onlyLoopback });
      srv.state.handle = (_req, res) => void setTimeout(() => res.end('late'), 1_000);
      const started = Date.now();
      const err = (await c
        .request(`${srv.origin}/`, { timeoutMs: 150 })
        .catch((e: unknown) => e)) as TimeoutError;
      expect(err).toBeInstanceOf(TimeoutError);
      expect(err.message).toBe('timed out after 150 ms');
      expect(Date.now() - started).toBeLessThan(900);

      srv.state.handle = (_req, res) => {
        res.write('a');
        setTimeout(() => res.end('b'), 1_000);
      };
      await expect(c.request(`${srv.origin}/`, { timeoutMs: 150 })).rejects.toBeInstanceOf(TimeoutError);
    });

    it('uses the client default timeout when the call gives none', async () => {
      const c = client({ isAllowedAddress: onlyLoopback, timeoutMs: 100 });
      srv.state.handle = (_req, res) => void setTimeout(() => res.end('late'), 1_000);
      await expect(c.request(`${srv.origin}/`)).rejects.toBeInstanceOf(TimeoutError);
    });
  });

  it('reports a refused connection as NetworkError', async () => {
    const closed = await startRecordingServer();
    await closed.close();
    const err = (await client({ allowPrivateNetworks: true })
      .request(closed.origin)
      .catch((e: unknown) => e)) as NetworkError;
    expect(err).toBeInstanceOf(NetworkError);
    expect(err.message).toContain('ECONNREFUSED');
  });

  it('sends the method, headers and body it is given', async () => {
    const c = client({ isAllowedAddress: onlyLoopback });
    await c.request(`${srv.origin}/in`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-test': 'yes' },
      body: '{"a":1}',
    });
    expect(srv.state.seen[0]).toMatchObject({
      method: 'POST',
      body: '{"a":1}',
      headers: { 'content-type': 'application/json', 'x-test': 'yes' },
    });
  });

  it('safeRequest (outside Nest) uses the strict policy', async () => {
    await expect(safeRequest(`${srv.origin}/`)).rejects.toBeInstanceOf(SsrfBlockedError);
    await expect(safeRequest('file:///etc/passwd')).rejects.toBeInstanceOf(SsrfBlockedError);
    expect(srv.state.seen).toHaveLength(0);
  });
});
