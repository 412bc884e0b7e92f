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
 * The exponential ceiling of retry number `retry` (1 after the first failure):
 * `min(cap, base * 2^(retry-1))`, in whatever unit `base` and `cap` share. The full-jitter draw of
 * `computeBackoffDelay` stays below it; schedules that must not be random (the SQS `DelaySeconds`
 * of a chunk's next attempt) use it as it is.
 *
 * @example
 * backoffCeiling(1, 30, 900); // 30
 * backoffCeiling(6, 30, 900); // 900 (960 capped)
 */
export function backoffCeiling(retry: number, base: number, cap: number): number {
  // 2^30 already exceeds any cap; the bound keeps the product finite for absurd retry numbers.
  const exponent = Math.min(Math.max(retry - 1, 0), 30);
  return Math.min(cap, base * 2 ** exponent);
}

/**
 * The wait in ms before retry number `attempt` (1 after the first failure): "full jitter"
 * exponential backoff, a uniform draw in [0, min(maxDelay, base * 2^(attempt-1))), so many workers
 * hitting the same 429 spread out instead of retrying in lockstep
 * (https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/, the formula of the
 * AWS SDKs' standard retry mode: https://docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior.html).
 * A `Retry-After` from Knox is a lower bound: the wait is the larger of it and the drawn backoff,
 * so `Retry-After: 0` (valid, "now") still gets the backoff and a storm of 429s saying 0 is not
 * resent in a tight loop. The result never exceeds `maxDelayMs` (a server asking for an hour is
 * asked again after `maxDelayMs`; the caller's deadline decides whether there is time for that at
 * all: `retryDelayWithin`).
 *
 * @example
 * computeBackoffDelay(3, { baseDelayMs: 200, maxDelayMs: 20_000, random: () => 0.5 }); // 400
 * computeBackoffDelay(3, { baseDelayMs: 200, maxDelayMs: 20_000, random: () => 0.5, retryAfterSeconds: 7 }); // 7000
 * computeBackoffDelay(3, { baseDelayMs: 200, maxDelayMs: 20_000, random: () => 0.5, retryAfterSeconds: 0 }); // 400
 * computeBackoffDelay(3, { baseDelayMs: 200, maxDelayMs: 20_000, random: () => 0.5, retryAfterSeconds: 3600 }); // 20000
 */
export function computeBackoffDelay(attempt: number, options: BackoffOptions): number {
  const ceiling = backoffCeiling(attempt, options.baseDelayMs, options.maxDelayMs);
  const draw = Math.min(Math.max(options.random(), 0), 1);
  const backoff = Math.floor(draw * ceiling);
  const asked = options.retryAfterSeconds;
  if (asked === undefined || !(asked >= 0)) return backoff;
  return Math.min(options.maxDelayMs, Math.max(backoff, asked * 1000));
}
