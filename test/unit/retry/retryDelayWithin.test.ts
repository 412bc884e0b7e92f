import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { retryDelayWithin } from '../../../lib/retry';

const policy = { baseDelayMs: 200, maxDelayMs: 5_000, random: () => 0.5 };
const T0 = 1_000_000;

describe('retryDelayWithin', () => {
  it('is the full-jitter backoff when there is no deadline', () => {
    expect(retryDelayWithin(1, { ...policy, now: T0 })).toBe(100);
    expect(retryDelayWithin(3, { ...policy, now: T0 })).toBe(400);
  });

  it.each([
    { deadline: T0 + 401, marginMs: 0, expected: 400, why: 'the wait ends before the deadline' },
    { deadline: T0 + 400, marginMs: 0, expected: undefined, why: 'a wait ending at the deadline is refused' },
    { deadline: T0 + 901, marginMs: 500, expected: 400, why: 'ends before deadline minus margin' },
    { deadline: T0 + 900, marginMs: 500, expected: undefined, why: 'ends at deadline minus margin' },
    { deadline: T0 - 1, marginMs: 0, expected: undefined, why: 'the deadline has passed' },
  ])('retry 3 with deadline T0+$deadline: $expected ($why)', ({ deadline, marginMs, expected }) => {
    expect(retryDelayWithin(3, { ...policy, now: T0, deadline, marginMs })).toBe(expected);
  });

  it('gives up when the window a Retry-After asked for ends past the deadline, even beyond the cap', () => {
    const options = { ...policy, now: T0, retryAfterSeconds: 3600 };
    // The wait itself is capped at 5 s and would fit, but the server asked for an hour.
    expect(retryDelayWithin(1, { ...options, deadline: T0 + 60_000 })).toBeUndefined();
    expect(retryDelayWithin(1, { ...options, deadline: T0 + 3_600_001 })).toBe(5_000);
  });

  it('never answers a wait that ends at or after deadline - margin', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.integer({ min: -1_000, max: 30_000 }),
        fc.integer({ min: 0, max: 5_000 }),
        fc.option(fc.integer({ min: 0, max: 100 }), { nil: undefined }),
        (retry, r, budget, marginMs, retryAfterSeconds) => {
          const wait = retryDelayWithin(retry, {
            ...policy,
            random: () => r,
            retryAfterSeconds,
            now: T0,
            deadline: T0 + budget,
            marginMs,
          });
          return wait === undefined || T0 + wait < T0 + budget - marginMs;
        },
      ),
      { numRuns: 2000 },
    );
  });
});
