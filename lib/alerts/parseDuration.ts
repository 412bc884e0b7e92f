const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/;

/**
 * Parses a duration as config writes it (`'90s'`, `'15m'`, `'4h'`, `'7d'`, or a number of
 * milliseconds) into milliseconds; `undefined` when the text is not a duration, so the caller can
 * report the config path.
 *
 * @example
 * parseDuration('4h'); // 14400000
 * parseDuration(1500); // 1500
 */
export function parseDuration(value: string | number): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value : undefined;
  const match = DURATION.exec(value.trim());
  if (!match) return undefined;
  const unit = match[2] as keyof typeof UNIT_MS;
  return Math.round(Number(match[1]) * UNIT_MS[unit]);
}

/**
 * Formats milliseconds as the largest whole unit that fits, for alert texts and reports.
 *
 * @example
 * formatDuration(14_400_000); // '4h'
 * formatDuration(5_400_000);  // '1h 30m'
 */
export function formatDuration(ms: number): string {
  if (ms < 60_000) return `${Math.max(0, Math.round(ms / 1000))}s`;
  const totalMinutes = Math.floor(ms / 60_000);
  const days = Math.floor(totalMinutes / 1440);
  const hours = Math.floor((totalMinutes % 1440) / 60);
  const minutes = totalMinutes % 60;
  const parts = [days ? `${days}d` : '', hours ? `${hours}h` : '', minutes && !days ? `${minutes}m` : ''];
  return parts.filter(Boolean).join(' ') || '0m';
}
