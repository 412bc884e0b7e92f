import { maskText } from '../privacy';

/**
 * Text helpers shared by the renderers. Every string that came from outside (Knox reasons, job
 * names, run ids) goes through `safe`, which masks IMEIs, phone numbers and e-mail addresses and
 * flattens line breaks, before it reaches a subject, an e-mail or an SMS.
 */
export function safe(text: string): string {
  return maskText(text)
    .replace(/[\r\n\t\v\f\u2028\u2029]+/g, ' ')
    .trim();
}

/**
 * Makes text fit an SNS e-mail subject: printable ASCII only (accents dropped, anything else
 * `?`), no line breaks, at most `max` characters with `...` when cut.
 *
 * @example
 * asciiLine('Überfällig – Sperre', 99); // 'Uberfallig - Sperre'
 */
export function asciiLine(text: string, max: number): string {
  const ascii = safe(text)
    .replace(/[–—−]/g, '-')
    .replace(/[‘’]/g, "'")
    .replace(/[“”]/g, '"')
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .replace(/[^\x20-\x7e]/g, '?')
    .replace(/\s+/g, ' ')
    .trim();
  if (ascii.length <= max) return ascii;
  return `${ascii.slice(0, Math.max(0, max - 3)).trimEnd()}...`;
}

/**
 * A device count for people: exact with thousands separators up to a million, compact above.
 *
 * @example
 * formatCount(4812);      // '4,812'
 * formatCount(12_345_678); // '12M'
 */
export function formatCount(count: number): string {
  if (!Number.isFinite(count)) return '?';
  const sign = count < 0 ? '-' : '';
  const magnitude = Math.abs(count);
  // By hand rather than toLocaleString/Intl.NumberFormat: the first Intl call loads ICU data,
  // about 15 ms of a cold start spent on one number in an alert. Same output as Intl's en-US.
  if (magnitude < 999_999.5) return sign + groupThousands(Math.round(magnitude));
  for (let i = 0; i < COMPACT_UNITS.length; i += 1) {
    const [size, suffix] = COMPACT_UNITS[i] as (typeof COMPACT_UNITS)[number];
    const tenths = Math.round((magnitude / size) * 10);
    // 999.96M rounds to 1000M, which Intl shows as 1B: move up while there is a larger unit.
    if (tenths >= 10_000 && i < COMPACT_UNITS.length - 1) continue;
    const whole = Math.floor(tenths / 10);
    const fraction = tenths % 10;
    return `${sign}${groupThousands(whole)}${fraction === 0 ? '' : `.${fraction}`}${suffix}`;
  }
  return '?';
}

const COMPACT_UNITS = [
  [1e6, 'M'],
  [1e9, 'B'],
  [1e12, 'T'],
] as const;

function groupThousands(whole: number): string {
  return String(whole).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** `1 device` / `4,812 devices`. */
export function devices(count: number): string {
  return `${formatCount(count)} ${count === 1 ? 'device' : 'devices'}`;
}

/**
 * A timestamp as admins read it in alerts: UTC, minutes precision.
 *
 * @example
 * formatTime(Date.UTC(2026, 10, 25, 8, 5)); // '2026-11-25 08:05 UTC'
 */
export function formatTime(epochMs: number): string {
  return `${new Date(epochMs).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/**
 * A time span as admins read it: `between A and B`, or `at A` when both fall in the same minute
 * (never "between 14:23 UTC and 14:23 UTC").
 *
 * @example
 * formatSpan(t, t + 20_000); // 'at 2026-11-25 08:05 UTC'
 */
export function formatSpan(from: number, to: number): string {
  const a = formatTime(from);
  const b = formatTime(to);
  return a === b ? `at ${a}` : `between ${a} and ${b}`;
}

/**
 * The code line of an alert: `4030104 USER_BLOCKED_STATE (HTTP 403)` for a Knox Guard code; a
 * code of our own (its code is its name, e.g. LICENSE_SEATS_LOW) is named once, and a status
 * appears only when there was an HTTP answer (never "(HTTP 0)").
 *
 * @example
 * formatCode({ code: 'LICENSE_SEATS_LOW', codeName: 'LICENSE_SEATS_LOW', httpStatus: 0 }); // 'LICENSE_SEATS_LOW'
 */
export function formatCode(failure: { code: string; codeName: string; httpStatus?: number }): string {
  const name = failure.code === failure.codeName ? failure.codeName : `${failure.code} ${failure.codeName}`;
  return failure.httpStatus !== undefined && failure.httpStatus > 0
    ? `${name} (HTTP ${failure.httpStatus})`
    : name;
}
