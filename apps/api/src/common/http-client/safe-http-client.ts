import { validationError } from '../http/errors.js';
import { promises as dns, type LookupAddress } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import type { OnModuleDestroy } from '@nestjs/common';
import { Agent, buildConnector, request as undiciRequest } from 'undici';
import {
  NetworkError,
  OutboundHttpError,
  ResponseTooLargeError,
  SsrfBlockedError,
  TimeoutError,
  TooManyRedirectsError,
} from './http-client.errors.js';
import { defaultAddressPolicy, type AddressPolicy } from './ip-policy.js';

export type HttpMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** Resolves a hostname to every address it has; injectable so tests can fake DNS. */
export type Resolver = (hostname: string) => Promise<{ address: string; family: number }[]>;

export interface SafeHttpClientOptions {
  /** Operator switch (OUTBOUND_ALLOW_PRIVATE_NETWORKS): loopback and private ranges become reachable. */
  allowPrivateNetworks?: boolean;
  /** Replaces the address policy entirely (tests, or a deployment with its own allow-list). */
  isAllowedAddress?: (ip: string) => boolean;
  resolve?: Resolver;
  /** Defaults for every request of this client; each request may override them. */
  timeoutMs?: number;
  maxResponseBytes?: number;
  maxRedirects?: number;
}

export interface SafeRequestInit {
  method?: HttpMethod;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Whole exchange, redirects and body included. Default 10 s. */
  timeoutMs?: number;
  /** Larger bodies fail with ResponseTooLargeError. Default 1 MiB. */
  maxResponseBytes?: number;
  /** 0 returns a 3xx as it is, for callers whose payload must not travel on. Default 5. */
  maxRedirects?: number;
}

export interface SafeResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  /** The URL that answered, after redirects. */
  url: string;
  text(): string;
}

export const DEFAULT_TIMEOUT_MS = 10_000;
export const DEFAULT_MAX_RESPONSE_BYTES = 1024 * 1024;
export const DEFAULT_MAX_REDIRECTS = 5;

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
/** Credentials meant for one origin are not handed to another one a redirect points at. */
const ORIGIN_BOUND_HEADERS = ['authorization', 'cookie', 'proxy-authorization'];

const systemResolver: Resolver = (hostname) => dns.lookup(hostname, { all: true, verbatim: true });

const stripBrackets = (host: string) => host.replace(/^\[|\]$/g, '');

const resolvedTo = (hostname: string, reason: string) =>
  `${hostname} resolves to a blocked address: ${reason}`;

/**
 * HTTP for every URL a tenant controls (api-channel callbacks, webhooks out, and later flow HTTP nodes and
 * knowledge-base ingestion). The destination address is checked when the socket is opened, on the address
 * actually dialled — in the DNS lookup the connection uses and again on the connected socket — so a hostname
 * that resolves to a public address for a pre-check and to 127.0.0.1 a moment later (DNS rebinding) still
 * cannot reach the inside. Redirects are followed by hand so every hop goes through the same check.
 */
export class SafeHttpClient implements OnModuleDestroy {
  private readonly policy: AddressPolicy;
  private readonly resolve: Resolver;
  private readonly agent: Agent;
  private readonly defaults: Required<
    Pick<SafeHttpClientOptions, 'timeoutMs' | 'maxResponseBytes' | 'maxRedirects'>
  >;

  constructor(options: SafeHttpClientOptions = {}) {
    const { isAllowedAddress } = options;
    const fallback = defaultAddressPolicy(options.allowPrivateNetworks ?? false);
    this.policy = isAllowedAddress
      ? (ip) => {
          if (isAllowedAddress(ip)) return { allowed: true };
          const verdict = fallback(ip);
          return { allowed: false, reason: verdict.allowed ? `${ip} is not allowed` : verdict.reason };
        }
      : fallback;
    this.resolve = options.resolve ?? systemResolver;
    this.defaults = {
      timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      maxResponseBytes: options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES,
      maxRedirects: options.maxRedirects ?? DEFAULT_MAX_REDIRECTS,
    };
    const base = buildConnector({ lookup: this.lookup });
    this.agent = new Agent({
      connect: (opts, callback) => {
        // A literal IP never reaches `lookup` (net dials it directly), so it is judged here.
        const host = stripBrackets(opts.hostname);
        if (isIP(host)) {
          const verdict = this.policy(host);
          if (!verdict.allowed) return callback(new SsrfBlockedError(verdict.reason), null);
        }
        base(opts, (err, socket) => {
          if (err || !socket) return callback(err ?? new NetworkError('connection failed'), null);
          // The peer actually connected to, whatever path led there.
          const peer = socket.remoteAddress;
          const verdict = peer ? this.policy(peer) : { allowed: false as const, reason: 'unknown peer' };
          if (!verdict.allowed) {
            socket.destroy();
            return callback(new SsrfBlockedError(verdict.reason), null);
          }
          callback(null, socket);
        });
      },
    });
  }

  /**
   * The check a URL gets before it is stored (webhook endpoints, callbacks): scheme, literal address, and every
   * address its hostname resolves to now. A name that does not resolve yet passes; the connection-time check
   * still guards it when it is called.
   */
  async assertAllowedUrl(raw: string): Promise<void> {
    const url = this.parse(raw);
    const host = stripBrackets(url.hostname);
    // A literal address was judged by parse().
    if (isIP(host)) return;
    let addresses: { address: string }[];
    try {
      addresses = await this.resolve(host);
    } catch {
      return;
    }
    for (const { address } of addresses) {
      const verdict = this.policy(address);
      if (!verdict.allowed) throw new SsrfBlockedError(resolvedTo(host, verdict.reason), raw);
    }
  }

  /** assertAllowedUrl for a URL a user submitted: a refusal is a 400 naming the field and the reason. */
  async assertAllowedUrlField(url: string, path: string): Promise<void> {
    try {
      await this.assertAllowedUrl(url);
    } catch (err) {
      if (!(err instanceof SsrfBlockedError)) throw err;
      throw validationError([{ path, message: `is not allowed: ${err.reason}` }]);
    }
  }

  async request(rawUrl: string | URL, init: SafeRequestInit = {}): Promise<SafeResponse> {
    const timeoutMs = init.timeoutMs ?? this.defaults.timeoutMs;
    const maxBytes = init.maxResponseBytes ?? this.defaults.maxResponseBytes;
    const maxRedirects = init.maxRedirects ?? this.defaults.maxRedirects;
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new TimeoutError(timeoutMs)), timeoutMs);
    let url: URL | undefined;
    let method: HttpMethod = init.method ?? 'GET';
    let body = init.body;
    let headers = { ...init.headers };
    try {
      url = this.parse(String(rawUrl));
      for (let redirects = 0; ; redirects++) {
        const res = await undiciRequest(url, {
          dispatcher: this.agent,
          method,
          headers,
          body,
          signal: controller.signal,
        });
        const location = res.headers.location;
        if (maxRedirects > 0 && REDIRECTS.has(res.statusCode) && typeof location === 'string') {
          await res.body.dump().catch(() => undefined);
          if (redirects >= maxRedirects) throw new TooManyRedirectsError(maxRedirects);
          const next = this.parse(new URL(location, url).toString());
          if (next.origin !== url.origin) {
            headers = Object.fromEntries(
              Object.entries(headers).filter(([k]) => !ORIGIN_BOUND_HEADERS.includes(k.toLowerCase())),
            );
          }
          // What browsers do: 303 (and 301/302 after a POST) continue as a GET without the body.
          if (
            res.statusCode === 303 ||
            ((res.statusCode === 301 || res.statusCode === 302) && method === 'POST')
          ) {
            method = 'GET';
            body = undefined;
            headers = Object.fromEntries(
              Object.entries(headers).filter(([k]) => !/^content-(type|length)$/i.test(k)),
            );
          }
          url = next;
          continue;
        }
        const declared = Number(res.headers['content-length']);
        if (Number.isFinite(declared) && declared > maxBytes) {
          res.body.destroy();
          throw new ResponseTooLargeError(maxBytes, res.statusCode);
        }
        const chunks: Buffer[] = [];
        let size = 0;
        for await (const chunk of res.body as AsyncIterable<Buffer>) {
          size += chunk.length;
          if (size > maxBytes) {
            res.body.destroy();
            throw new ResponseTooLargeError(maxBytes, res.statusCode);
          }
          chunks.push(chunk);
        }
        const buffer = Buffer.concat(chunks);
        const finalUrl = url.toString();
        return {
          status: res.statusCode,
          headers: res.headers,
          body: buffer,
          url: finalUrl,
          text: () => buffer.toString('utf8'),
        };
      }
    } catch (err) {
      throw this.classify(err, controller.signal);
    } finally {
      clearTimeout(timer);
    }
  }

  async close(): Promise<void> {
    await this.agent.close();
  }

  async onModuleDestroy(): Promise<void> {
    await this.close();
  }

  private parse(raw: string): URL {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw new SsrfBlockedError('not a valid URL', raw);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new SsrfBlockedError(`only http and https URLs are allowed, not ${url.protocol}`, raw);
    }
    const host = stripBrackets(url.hostname);
    if (isIP(host)) this.assertAddress(host, raw);
    return url;
  }

  private assertAddress(ip: string, url: string): void {
    const verdict = this.policy(ip);
    if (!verdict.allowed) throw new SsrfBlockedError(verdict.reason, url);
  }

  /** net.connect's lookup hook: resolve, then refuse the connection if any address is off-limits. */
  private readonly lookup: LookupFunction = (hostname, options, callback) => {
    this.resolve(hostname).then(
      (found) => {
        const wanted = options.family === 4 || options.family === 6 ? options.family : 0;
        const addresses = found.filter((a) => !wanted || a.family === wanted);
        if (!addresses.length) {
          const err = Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
          return callback(err, '', 0);
        }
        // One bad address spoils the name: picking the good ones would let a rebinding attacker race us.
        for (const { address } of addresses) {
          const verdict = this.policy(address);
          if (!verdict.allowed) {
            return callback(new SsrfBlockedError(resolvedTo(hostname, verdict.reason)), '', 0);
          }
        }
        if (options.all) {
          (callback as unknown as (err: null, addresses: LookupAddress[]) => void)(null, addresses);
        } else {
          callback(null, addresses[0]!.address, addresses[0]!.family);
        }
      },
      (err: NodeJS.ErrnoException) => callback(err, '', 0),
    );
  };

  private classify(err: unknown, signal: AbortSignal): OutboundHttpError {
    for (let e: unknown = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
      if (e instanceof OutboundHttpError) return e;
    }
    if (signal.aborted && signal.reason instanceof TimeoutError) return signal.reason;
    const e = err as NodeJS.ErrnoException;
    const code = e.code ?? (e.cause as NodeJS.ErrnoException | undefined)?.code;
    return new NetworkError(code && !e.message.includes(code) ? `${e.message} (${code})` : e.message, {
      cause: err,
    });
  }
}

/** Process-wide client with the strict policy, for code outside Nest (scripts, plugins). */
let shared: SafeHttpClient | undefined;

/** One request through the strict default client: private and loopback destinations are always refused. */
export function safeRequest(url: string | URL, init?: SafeRequestInit): Promise<SafeResponse> {
  shared ??= new SafeHttpClient();
  return shared.request(url, init);
}
