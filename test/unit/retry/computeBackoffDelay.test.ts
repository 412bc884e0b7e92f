import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { backoffCeiling } from '../../../lib/retry';
import { computeBackoffDelay } from '../../../lib/retry/computeBackoffDelay';

const base = { baseDelayMs: 200, maxDelayMs: 20_000 };

describe('computeBackoffDelay', () => {
  it('draws uniformly below base * 2^(attempt-1) (full jitter)', () => {
    expect(computeBackoffDelay(1, { ...base, random: () => 0.5 })).toBe(100);
    expect(computeBackoffDelay(3, { ...base, random: () => 0.5 })).toBe(400);
    expect(computeBackoffDelay(3, { ...base, random: () => 0 })).toBe(0);
    expect(computeBackoffDelay(3, { ...base, random: () => 0.999 })).toBe(799);
  });

  it('caps the ceiling at maxDelayMs', () => {
    expect(computeBackoffDelay(30, { ...base, random: () => 0.5 })).toBe(10_000);
    expect(computeBackoffDelay(1000, { ...base, random: () => 0.999 })).toBe(19_980);
  });

  it.each([
    { attempt: 1, retryAfterSeconds: 7, expected: 7000, why: 'Retry-After above the backoff wins' },
    { attempt: 4, retryAfterSeconds: 0, expected: 800, why: '0 is valid but the backoff still applies' },
    { attempt: 6, retryAfterSeconds: 1, expected: 3200, why: 'a backoff above Retry-After wins' },
    { attempt: 1, retryAfterSeconds: 3600, expected: 20_000, why: 'capped at maxDelayMs' },
    { attempt: 1, retryAfterSeconds: undefined, expected: 100, why: 'no Retry-After: backoff' },
  ])(
    'Retry-After $retryAfterSeconds at attempt $attempt waits $expected ms ($why)',
    ({ attempt, retryAfterSeconds, expected }) => {
      expect(computeBackoffDelay(attempt, { ...base, random: () => 0.5, retryAfterSeconds })).toBe(expected);
    },
  );

  it('always stays within [0, min(max, base * 2^(attempt-1))]', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 60 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (attempt, r) => {
          const delay = computeBackoffDelay(attempt, { ...base, random: () => r });
          const ceiling = Math.min(base.maxDelayMs, base.baseDelayMs * 2 ** (attempt - 1));
          return Number.isInteger(delay) && delay >= 0 && delay <= ceiling;
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe('backoffCeiling', () => {
  it('doubles from base and stops at the cap, in the unit given (the follow-up schedule in seconds)', () => {
    expect([1, 2, 3, 4, 5, 6].map((retry) => backoffCeiling(retry, 30, 900))).toEqual([
      30, 60, 120, 240, 480, 900,
    ]);
    expect(backoffCeiling(0, 30, 900)).toBe(30);
    expect(backoffCeiling(10_000, 30, 900)).toBe(900);
  });
});
