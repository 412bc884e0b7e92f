import { type HttpTransport, HttpTransportError } from './HttpTransport';

/**
 * What one Knox Guard HTTP request came to: its HTTP status, or `failure` when no complete answer
 * arrived (`timeout` / `transport`, as `HttpTransportError.kind`), and how long it took (ms).
 */
export interface KnoxAnswer {
  readonly method: string;
  readonly status?: number;
  readonly failure?: 'timeout' | 'transport';
  readonly durationMs: number;
}

/**
 * Wraps a transport so every request is reported to `observe` (metrics, e.g. the 429s and the
 * latency on the dashboard) without the client knowing. The answer and any error pass through
 * unchanged; an `observe` that throws is ignored, as metrics must never fail a Knox call. No URL
 * or header is reported: paths can carry device ids, headers the access token.
 *
 * @example
 * createKnoxClient({ ..., transport: observedTransport(nodeHttpTransport(), (a) => console.log(a.status, a.durationMs)) });
 */
export function observedTransport(
  transport: HttpTransport,
  observe: (answer: KnoxAnswer) => void,
  now: () => number = () => performance.now(),
): HttpTransport {
  const report = (answer: KnoxAnswer) => {
    try {
      observe(answer);
    } catch {
      // metrics are best-effort
    }
  };
  return {
    async send(request) {
      const started = now();
      try {
        const response = await transport.send(request);
        report({ method: request.method, status: response.status, durationMs: now() - started });
        return response;
      } catch (error) {
        const failure = error instanceof HttpTransportError ? error.kind : 'transport';
        report({ method: request.method, failure, durationMs: now() - started });
        throw error;
      }
    },
  };
}
