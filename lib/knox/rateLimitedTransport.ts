import type { HttpRequest, HttpTransport } from './HttpTransport';
import type { Clock } from './types';

export interface RateLimitOptions {
  /** Most requests this client starts per second. */
  readonly requestsPerSecond: number;
  readonly clock: Clock;
  readonly sleep: (ms: number) => Promise<void>;
  /** Requests that do not count (and never wait), e.g. the token endpoint of another service. */
  readonly exempt?: (request: HttpRequest) => boolean;
}

/**
 * Wraps a transport so requests start at least `1000 / requestsPerSecond` ms apart: every request
 * (retries and token renewals included) reserves the next free slot and waits for it. Even
 * spacing rather than a bucket with bursts, because Knox Guard counts per wall-clock second and a
 * burst at a second boundary is what earns a 429. Each execution environment gets its share of the
 * tenant's rate (lib/operations planCapacity), so all of them together stay under the limit.
 *
 * @example
 * const transport = rateLimitedTransport(nodeHttpTransport(), { requestsPerSecond: 4, clock, sleep });
 */
export function rateLimitedTransport(inner: HttpTransport, options: RateLimitOptions): HttpTransport {
  if (!(Number.isFinite(options.requestsPerSecond) && options.requestsPerSecond > 0)) {
    throw new RangeError(`requestsPerSecond must be positive, got ${options.requestsPerSecond}`);
  }
  const interval = 1000 / options.requestsPerSecond;
  let nextSlot = Number.NEGATIVE_INFINITY;
  return {
    async send(request) {
      if (options.exempt?.(request)) return inner.send(request);
      const now = options.clock.now();
      const slot = Math.max(now, nextSlot);
      nextSlot = slot + interval;
      if (slot > now) await options.sleep(slot - now);
      return inner.send(request);
    },
  };
}
