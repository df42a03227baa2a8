/** Every failure of SafeHttpClient is one of these; callers decide per type whether a retry can help. */
export abstract class OutboundHttpError extends Error {
  abstract readonly code:
    'SSRF_BLOCKED' | 'TIMEOUT' | 'RESPONSE_TOO_LARGE' | 'TOO_MANY_REDIRECTS' | 'NETWORK';
}

/** The URL, or an address it resolved to or redirected to, is not allowed. Retrying cannot help. */
export class SsrfBlockedError extends OutboundHttpError {
  readonly code = 'SSRF_BLOCKED' as const;
  constructor(
    readonly reason: string,
    readonly url?: string,
  ) {
    super(`Blocked outbound request${url ? ` to ${url}` : ''}: ${reason}`);
    this.name = 'SsrfBlockedError';
  }
}

export class TimeoutError extends OutboundHttpError {
  readonly code = 'TIMEOUT' as const;
  constructor(readonly timeoutMs: number) {
    super(`timed out after ${timeoutMs} ms`);
    this.name = 'TimeoutError';
  }
}

export class ResponseTooLargeError extends OutboundHttpError {
  readonly code = 'RESPONSE_TOO_LARGE' as const;
  constructor(
    readonly limitBytes: number,
    readonly status: number,
  ) {
    super(`response body exceeds ${limitBytes} bytes`);
    this.name = 'ResponseTooLargeError';
  }
}

export class TooManyRedirectsError extends OutboundHttpError {
  readonly code = 'TOO_MANY_REDIRECTS' as const;
  constructor(readonly maxRedirects: number) {
    super(`more than ${maxRedirects} redirects`);
    this.name = 'TooManyRedirectsError';
  }
}

/** DNS failure, refused or reset connection, TLS error: the destination could not be talked to. */
export class NetworkError extends OutboundHttpError {
  readonly code = 'NETWORK' as const;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'NetworkError';
  }
}
