export interface BackoffOptions {
  readonly baseDelayMs: number;
  /** The longest wait, also for a `Retry-After` that asks for more. */
  readonly maxDelayMs: number;
  /** A number in [0, 1), injected so tests can pin the jitter. */
  readonly random: () => number;
  /**
   * Seconds from a `Retry-After` header (already parsed strictly by `parseRetryAfter`): the least
   * wait, up to `maxDelayMs`.
   */
  readonly retryAfterSeconds?: number | undefined;
}

/**
 * The wait in ms before retry number `attempt` (1 after the first failure): "full jitter"
 * exponential backoff, a uniform draw in [0, min(maxDelay, base * 2^(attempt-1))), so many workers
 * hitting the same 429 spread out instead of retrying in lockstep. A `Retry-After` from Knox is a
 * lower bound: the wait is the larger of it and the drawn backoff, so `Retry-After: 0` (valid,
 * "now") still gets the backoff and a storm of 429s saying 0 is not resent in a tight loop. The
 * result never exceeds `maxDelayMs` (a server asking for an hour is asked again after
 * `maxDelayMs`; the caller's deadline decides whether there is time for that at all).
 *
 * @example
 * computeBackoffDelay(3, { baseDelayMs: 200, maxDelayMs: 20_000, random: () => 0.5 }); // 400
 * computeBackoffDelay(3, { baseDelayMs: 200, maxDelayMs: 20_000, random: () => 0.5, retryAfterSeconds: 7 }); // 7000
 * computeBackoffDelay(3, { baseDelayMs: 200, maxDelayMs: 20_000, random: () => 0.5, retryAfterSeconds: 0 }); // 400
 * computeBackoffDelay(3, { baseDelayMs: 200, maxDelayMs: 20_000, random: () => 0.5, retryAfterSeconds: 3600 }); // 20000
 */
export function computeBackoffDelay(attempt: number, options: BackoffOptions): number {
  const exponent = Math.min(Math.max(attempt - 1, 0), 30);
  const ceiling = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** exponent);
  const draw = Math.min(Math.max(options.random(), 0), 1);
  const backoff = Math.floor(draw * ceiling);
  const asked = options.retryAfterSeconds;
  if (asked === undefined || !(asked >= 0)) return backoff;
  return Math.min(options.maxDelayMs, Math.max(backoff, asked * 1000));
}
