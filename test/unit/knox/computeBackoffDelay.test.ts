import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { computeBackoffDelay } from '../../../lib/knox';

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

  it('honours Retry-After over the computed delay, including 0', () => {
    expect(computeBackoffDelay(1, { ...base, random: () => 0.5, retryAfterSeconds: 7 })).toBe(7000);
    expect(computeBackoffDelay(4, { ...base, random: () => 0.5, retryAfterSeconds: 0 })).toBe(0);
  });

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
