const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const LONG_DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const DAY = DAYS.join('|');
const MONTH = MONTHS.join('|');
const TIME = '(\\d{2}):(\\d{2}):(\\d{2})';
/** `Sun, 06 Nov 1994 08:49:37 GMT` */
const IMF_FIXDATE = new RegExp(`^(${DAY}), (\\d{2}) (${MONTH}) (\\d{4}) ${TIME} GMT$`);
/** `Sunday, 06-Nov-94 08:49:37 GMT` (obsolete RFC 850 form) */
const RFC_850 = new RegExp(`^(${LONG_DAYS.join('|')}), (\\d{2})-(${MONTH})-(\\d{2}) ${TIME} GMT$`);
/** `Sun Nov  6 08:49:37 1994` (obsolete asctime form) */
const ASCTIME = new RegExp(`^(${DAY}) (${MONTH}) ( \\d|\\d{2}) ${TIME} (\\d{4})$`);
const FIFTY_YEARS_MS = 50 * 365.25 * 24 * 3600 * 1000;

/**
 * Parses a `Retry-After` header into whole seconds from `now()`, or `undefined` when it is absent
 * or not one of the two forms RFC 9110 §10.2.3 allows
 * (https://www.rfc-editor.org/rfc/rfc9110#section-10.2.3): delta-seconds (`1*DIGIT`, so no sign,
 * no fraction, no exponent) or an HTTP-date (§5.6.7: IMF-fixdate, or the obsolete RFC 850 and
 * asctime forms, all GMT). Anything else, such as `-5`, `+5`, `1.5` or an ISO date, is ignored, so
 * the caller falls back on its own backoff: `Date.parse` would read `-5` as a date in the past and
 * turn it into "retry now". A date in the past is 0. No cap here: `computeBackoffDelay` caps.
 *
 * @example
 * parseRetryAfter('7', Date.now); // 7
 * parseRetryAfter('-5', Date.now); // undefined
 * parseRetryAfter('Sun, 06 Nov 1994 08:49:37 GMT', () => Date.UTC(1994, 10, 6, 8, 49, 30)); // 7
 */
export function parseRetryAfter(value: string | undefined, now: () => number): number | undefined {
  if (value === undefined) return undefined;
  // Optional whitespace around a field value is not part of it (RFC 9110 §5.5).
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) {
    const seconds = Number(trimmed);
    return Number.isSafeInteger(seconds) ? seconds : Number.MAX_SAFE_INTEGER;
  }
  const date = parseHttpDate(trimmed, now);
  if (date === undefined) return undefined;
  return Math.max(0, Math.ceil((date - now()) / 1000));
}

/** An HTTP-date (RFC 9110 §5.6.7) as epoch ms, or `undefined`. */
function parseHttpDate(text: string, now: () => number): number | undefined {
  let match = IMF_FIXDATE.exec(text);
  if (match) return utc(Number(match[4]), match[3], match[2], match.slice(5, 8), match[1]);
  match = RFC_850.exec(text);
  if (match) {
    // A two-digit year more than 50 years in the future means the most recent past year with
    // those digits (§5.6.7).
    let year = 2000 + Number(match[4]);
    const time = utc(year, match[3], match[2], match.slice(5, 8), match[1]?.slice(0, 3));
    if (time !== undefined && time - now() <= FIFTY_YEARS_MS) return time;
    year -= 100;
    return utc(year, match[3], match[2], match.slice(5, 8), match[1]?.slice(0, 3));
  }
  match = ASCTIME.exec(text);
  if (match) return utc(Number(match[7]), match[2], match[3], match.slice(4, 7), match[1]);
  return undefined;
}

function utc(
  year: number,
  monthName: string | undefined,
  dayText: string | undefined,
  [h, m, s]: (string | undefined)[],
  dayName: string | undefined,
): number | undefined {
  const month = MONTHS.indexOf(monthName ?? '');
  const day = Number((dayText ?? '').trim());
  const [hour, minute, second] = [Number(h), Number(m), Number(s)];
  if (hour > 23 || minute > 59 || second > 60) return undefined;
  const time = Date.UTC(year, month, day, hour, minute, Math.min(second, 59));
  const date = new Date(time);
  // 31 Feb or a weekday that does not match the date: not a date a server sends.
  if (date.getUTCDate() !== day || date.getUTCMonth() !== month) return undefined;
  if (DAYS[date.getUTCDay()] !== dayName) return undefined;
  return time;
}
