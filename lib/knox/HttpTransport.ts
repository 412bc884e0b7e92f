/** One HTTP request as the client builds it. */
export interface HttpRequest {
  readonly method: 'GET' | 'POST' | 'PUT';
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
  /** Abort the request (and the body read) after this many milliseconds. */
  readonly timeoutMs: number;
}

/** One HTTP answer as plain data; `headers` keys are lower-case. */
export interface HttpResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/**
 * The small seam between the client and the network, so tests can answer without sockets.
 * `send` resolves for every HTTP answer (any status) and rejects with an `HttpTransportError`
 * only when no complete answer arrived.
 */
export interface HttpTransport {
  send(request: HttpRequest): Promise<HttpResponse>;
}

/**
 * No complete HTTP answer: `timeout` when the per-request timeout fired, `transport` for resets,
 * refused connections, DNS failures and bodies cut off mid-transfer.
 *
 * @example
 * throw new HttpTransportError('timeout', 'no answer after 15000 ms', { cause });
 */
export class HttpTransportError extends Error {
  readonly kind: 'timeout' | 'transport';

  constructor(kind: 'timeout' | 'transport', message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'HttpTransportError';
    this.kind = kind;
  }
}

/**
 * The default transport on the global `fetch` (undici, which keeps connections alive between
 * calls), with the timeout enforced by an `AbortSignal` that also covers reading the body.
 *
 * @example
 * const transport = fetchTransport();
 * const answer = await transport.send({ method: 'GET', url, headers: {}, timeoutMs: 5000 });
 */
export function fetchTransport(): HttpTransport {
  return {
    async send(request) {
      const signal = AbortSignal.timeout(Math.max(1, Math.floor(request.timeoutMs)));
      try {
        const response = await fetch(request.url, {
          method: request.method,
          headers: request.headers,
          ...(request.body === undefined ? {} : { body: request.body }),
          signal,
          redirect: 'manual',
        });
        const body = await response.text();
        const headers: Record<string, string> = {};
        response.headers.forEach((value, key) => {
          headers[key.toLowerCase()] = value;
        });
        return { status: response.status, headers, body };
      } catch (error) {
        const timedOut =
          signal.aborted || (error instanceof Error && ['TimeoutError', 'AbortError'].includes(error.name));
        const message = error instanceof Error ? describe(error) : String(error);
        throw new HttpTransportError(timedOut ? 'timeout' : 'transport', message, { cause: error });
      }
    },
  };
}

// fetch reports every network failure as "TypeError: fetch failed"; the useful part is the cause.
function describe(error: Error): string {
  const cause = error.cause;
  if (cause instanceof Error) {
    const code = (cause as { code?: unknown }).code;
    return `${error.message}: ${typeof code === 'string' ? `${code} ` : ''}${cause.message}`;
  }
  return error.message;
}
