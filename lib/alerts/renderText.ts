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
  if (Math.abs(count) < 1_000_000) return Math.round(count).toLocaleString('en-US');
  return new Intl.NumberFormat('en-US', { notation: 'compact', maximumFractionDigits: 1 }).format(count);
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
