import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatCode, formatCount, formatSpan } from '../../../lib/alerts/renderText';

// Intl is the reference formatCount reproduces by hand (it avoids loading ICU on a cold start).
const exact = (n: number) => Math.round(n).toLocaleString('en-US');
const compact = (n: number) =>
  new Intl.NumberFormat('en-US', { notation: 'compact', maximumFractionDigits: 1 }).format(n);

describe('formatCount', () => {
  it.each([
    [0, '0'],
    [1, '1'],
    [999, '999'],
    [1_000, '1,000'],
    [4_812, '4,812'],
    [999_999, '999,999'],
    [1_000_000, '1M'],
    [1_050_000, '1.1M'],
    [12_345_678, '12.3M'],
    [999_960_000, '1B'],
    [2_500_000_000, '2.5B'],
    [7_000_000_000_000, '7T'],
    [Number.NaN, '?'],
    [Number.POSITIVE_INFINITY, '?'],
  ])('formatCount(%d) is %s', (count, expected) => {
    expect(formatCount(count)).toBe(expected);
  });

  it('matches Intl en-US for every integer count below a million (exact, grouped)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 999_999 }), (n) => {
        expect(formatCount(n)).toBe(exact(n));
      }),
      { numRuns: 5_000 },
    );
  });

  it('matches Intl en-US compact notation from a million up (M, B, T with one decimal)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1_000_000, max: 900_000_000_000_000 }), (n) => {
        expect(formatCount(n)).toBe(compact(n));
      }),
      { numRuns: 5_000 },
    );
  });

  it('keeps the sign of negative counts', () => {
    expect(formatCount(-4_812)).toBe('-4,812');
    expect(formatCount(-12_345_678)).toBe('-12.3M');
  });
});

describe('formatSpan', () => {
  const t = Date.UTC(2026, 10, 25, 14, 23, 5);
  it('names a single time when both ends fall in the same minute', () => {
    expect(formatSpan(t, t + 40_000)).toBe('at 2026-11-25 14:23 UTC');
  });
  it('names both ends otherwise', () => {
    expect(formatSpan(t, t + 60_000)).toBe('between 2026-11-25 14:23 UTC and 2026-11-25 14:24 UTC');
  });
});

describe('formatCode', () => {
  it.each([
    [
      { code: '4030104', codeName: 'USER_BLOCKED_STATE', httpStatus: 403 },
      '4030104 USER_BLOCKED_STATE (HTTP 403)',
    ],
    // a code of our own is named once and has no HTTP status
    [{ code: 'LICENSE_SEATS_LOW', codeName: 'LICENSE_SEATS_LOW', httpStatus: 0 }, 'LICENSE_SEATS_LOW'],
    // a transport failure had no HTTP answer
    [{ code: 'TIMEOUT', codeName: 'TIMEOUT', httpStatus: 0 }, 'TIMEOUT'],
    [{ code: 'HTTP_502', codeName: 'BAD_GATEWAY', httpStatus: 502 }, 'HTTP_502 BAD_GATEWAY (HTTP 502)'],
  ])('%j is %s', (failure, expected) => {
    expect(formatCode(failure)).toBe(expected);
  });
});
