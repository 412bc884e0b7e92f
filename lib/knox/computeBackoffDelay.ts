export interface BackoffOptions {
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  /** A number in [0, 1), injected so tests can pin the jitter. */
  readonly random: () => number;
  /** Seconds from a `Retry-After` header; wins over the computed delay when present. */
  readonly retryAfterSeconds?: number | undefined;
}

/**
 * The wait before retry number `attempt` (1 after the first failure): "full jitter" exponential
 * backoff, a uniform draw in [0, min(maxDelay, base * 2^(attempt-1))), so many workers hitting
 * the same 429 spread out instead of retrying in lockstep. A `Retry-After` from Knox is honoured
 * as given, because the server knows its window better than our guess.
 *
 * @example
 * computeBackoffDelay(3, { baseDelayMs: 200, maxDelayMs: 20_000, random: () => 0.5 }); // 400
 * computeBackoffDelay(3, { baseDelayMs: 200, maxDelayMs: 20_000, random: Math.random, retryAfterSeconds: 7 }); // 7000
 */
export function computeBackoffDelay(attempt: number, options: BackoffOptions): number {
  if (options.retryAfterSeconds !== undefined && options.retryAfterSeconds >= 0) {
    return options.retryAfterSeconds * 1000;
  }
  const exponent = Math.min(Math.max(attempt - 1, 0), 30);
  const ceiling = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** exponent);
  const draw = Math.min(Math.max(options.random(), 0), 1);
  return Math.floor(draw * ceiling);
}
