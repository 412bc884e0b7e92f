import { describe, expect, it } from 'vitest';
import { parseRetryAfter } from '../../../lib/errors/parseRetryAfter';

// Wed, 25 Nov 2026 08:00:00 GMT
const NOW = Date.UTC(2026, 10, 25, 8, 0, 0);
const now = () => NOW;

describe('parseRetryAfter (RFC 9110 §10.2.3: delta-seconds or HTTP-date, nothing else)', () => {
  it.each([
    // The four values that made four 429s be retried 3-6 ms apart: not delta-seconds, not a date.
    { value: '-5', expected: undefined },
    { value: '+5', expected: undefined },
    { value: '1.5', expected: undefined },
    // Valid: "now"; the backoff still applies (computeBackoffDelay).
    { value: '0', expected: 0 },
    { value: '7', expected: 7 },
    { value: ' 7 ', expected: 7 },
    { value: '0120', expected: 120 },
    { value: '1e3', expected: undefined },
    { value: '0x10', expected: undefined },
    { value: '', expected: undefined },
    { value: 'soon', expected: undefined },
    { value: '5 s', expected: undefined },
    { value: '99999999999999999999', expected: Number.MAX_SAFE_INTEGER },
    // IMF-fixdate, the obsolete RFC 850 and asctime forms
    { value: 'Wed, 25 Nov 2026 08:00:30 GMT', expected: 30 },
    { value: 'Wednesday, 25-Nov-26 08:01:00 GMT', expected: 60 },
    { value: 'Wed Nov 25 08:00:05 2026', expected: 5 },
    { value: 'Wed Nov  4 08:00:05 2026', expected: 0 }, // asctime pads a one-digit day; in the past
    { value: 'Tue, 24 Nov 2026 08:00:00 GMT', expected: 0 }, // in the past: now
    // Not HTTP-dates: Date.parse would read them, RFC 9110 does not.
    { value: '2026-11-25T08:00:30Z', expected: undefined },
    { value: 'Wed, 25 Nov 2026 08:00:30 +0000', expected: undefined },
    { value: 'Thu, 25 Nov 2026 08:00:30 GMT', expected: undefined }, // wrong weekday
    { value: 'Wed, 31 Feb 2026 08:00:30 GMT', expected: undefined },
    { value: 'Wed, 25 Nov 2026 25:00:30 GMT', expected: undefined },
  ])('$value -> $expected', ({ value, expected }) => {
    expect(parseRetryAfter(value, now)).toBe(expected);
  });

  it('is undefined without a header', () => {
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });
});
