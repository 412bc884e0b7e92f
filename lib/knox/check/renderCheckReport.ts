import type { TenantCheckReport } from './types';

/** Printed answers are cut here; the JSON report keeps the whole shape. */
const MAX_ANSWER = 240;

/**
 * The report as terminal lines: ONE line per contract row (`status  id  expected … | got …`), then a
 * summary line and, for each row that differs or failed, the setting to change.
 *
 * @example
 * for (const line of renderCheckReport(report)) console.log(line);
 * // pass     deviceList:POST  expected {result, totalCount, deviceList: [...]} | got HTTP 200 {...}
 */
export function renderCheckReport(report: TenantCheckReport): string[] {
  const width = Math.max(...report.rows.map((row) => row.id.length));
  const lines = report.rows.map((row) => {
    const head = `${row.status.padEnd(8)} ${row.id.padEnd(width)}`;
    if (row.status === 'skipped') return `${head}  ${row.detail ?? ''}`;
    const got = [row.httpStatus === undefined ? '' : `HTTP ${row.httpStatus}`, cut(row.answer ?? '')]
      .filter(Boolean)
      .join(' ');
    const findings = row.findings
      ? ` [${Object.entries(row.findings)
          .map(([key, value]) => `${key}=${value}`)
          .join(', ')}]`
      : '';
    const detail = row.detail ? ` — ${row.detail}` : '';
    return `${head}  expected ${row.expected} | got ${got}${detail}${findings}`;
  });
  const { pass, differs, error, skipped } = report.summary;
  lines.push(
    '',
    `${report.target.baseUrl}${report.target.apiPrefix}: ${pass} pass, ${differs} differs, ${error} error, ${skipped} skipped`,
  );
  for (const row of report.rows) {
    if ((row.status === 'differs' || row.status === 'error') && row.hint)
      lines.push(`  ${row.id}: ${row.hint}`);
  }
  return lines;
}

function cut(text: string): string {
  return text.length <= MAX_ANSWER ? text : `${text.slice(0, MAX_ANSWER - 1)}…`;
}
