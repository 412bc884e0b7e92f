import { type BackoffOptions, computeBackoffDelay } from './computeBackoffDelay';

export interface DeadlineOptions extends BackoffOptions {
  /** Epoch ms now (an injected clock's reading). */
  readonly now: number;
  /** Epoch ms after which nothing may run; `undefined`: no deadline. */
  readonly deadline?: number | undefined;
  /**
   * Kept free before the deadline (default 0): what the caller still has to do after its last
   * attempt, such as answering a webhook or reporting a failure.
   */
  readonly marginMs?: number | undefined;
}

/**
 * The wait in ms before retry number `retry` (1 after the first failure), from
 * `computeBackoffDelay`, or `undefined` when that wait, or the window a `Retry-After` asked for
 * (even beyond the `maxDelayMs` cap), would end at or past `deadline - marginMs`: then the caller
 * gives up now with the error it has, instead of setting a timer it cannot use, and hands the
 * work back (a redelivery, a 503, a failed invocation).
 *
 * @example
 * const wait = retryDelayWithin(attempt, { baseDelayMs: 100, maxDelayMs: 5_000, random: Math.random, now: Date.now(), deadline });
 * if (wait === undefined) throw lastError;
 * await sleep(wait);
 */
export function retryDelayWithin(retry: number, options: DeadlineOptions): number | undefined {
  const delay = computeBackoffDelay(retry, options);
  if (options.deadline === undefined) return delay;
  const asked = options.retryAfterSeconds;
  const askedMs = asked !== undefined && asked >= 0 ? asked * 1000 : 0;
  const end = options.now + Math.max(delay, askedMs);
  return end >= options.deadline - (options.marginMs ?? 0) ? undefined : delay;
}
