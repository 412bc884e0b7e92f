import {
  type HttpRequest,
  type HttpResponse,
  type HttpTransport,
  HttpTransportError,
} from '../HttpTransport';

/**
 * One request and what came back, as the tenant check reads it. No request headers or bodies are
 * kept (they carry the signed token and the client JWT); the answer body stays in memory only, to
 * describe its shape, and is never written out.
 */
export interface RecordedExchange {
  readonly method: HttpRequest['method'];
  /** The URL path (no host, no query). */
  readonly path: string;
  /** The HTTP status, when an answer arrived. */
  readonly status?: number;
  readonly contentType?: string;
  readonly body?: string;
  /** Why no answer arrived (`timeout` / `transport`), with the transport's message. */
  readonly failure?: { readonly kind: 'timeout' | 'transport'; readonly message: string };
}

/** A transport that keeps every exchange, and the list it writes to. */
export interface RecordingTransport {
  readonly transport: HttpTransport;
  readonly exchanges: RecordedExchange[];
}

/**
 * Wraps `inner` so every request the real client pieces send (`KnoxHttp`, the token provider) is
 * recorded with its raw answer: the tenant check decodes through the client, as the service would,
 * and describes what actually came over the wire. Answers and failures pass through unchanged.
 *
 * @example
 * const { transport, exchanges } = recordingTransport(nodeHttpTransport());
 * // ... calls through KnoxHttp ...
 * exchanges.at(-1)?.status; // 200
 */
export function recordingTransport(inner: HttpTransport): RecordingTransport {
  const exchanges: RecordedExchange[] = [];
  const transport: HttpTransport = {
    async send(request: HttpRequest): Promise<HttpResponse> {
      const path = pathOf(request.url);
      try {
        const response = await inner.send(request);
        const contentType = response.headers['content-type'];
        exchanges.push({
          method: request.method,
          path,
          status: response.status,
          ...(contentType === undefined ? {} : { contentType }),
          body: response.body,
        });
        return response;
      } catch (error) {
        const kind = error instanceof HttpTransportError ? error.kind : 'transport';
        exchanges.push({
          method: request.method,
          path,
          failure: { kind, message: error instanceof Error ? error.message : String(error) },
        });
        throw error;
      }
    },
  };
  return { transport, exchanges };
}

function pathOf(url: string): string {
  try {
    return new URL(url).pathname;
  } catch {
    return url;
  }
}
