import { KnoxError } from './errors';

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
export class HttpTransportError extends KnoxError {
  readonly kind: 'timeout' | 'transport';

  constructor(kind: 'timeout' | 'transport', message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'HttpTransportError';
    this.kind = kind;
  }
}
