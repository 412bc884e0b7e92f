import { stringify } from 'csv-stringify/sync';
import { RUN_REPORT_COLUMNS, type RunReportRow } from './runReport';

// OWASP "CSV Injection" (https://owasp.org/www-community/attacks/CSV_Injection) and ASVS 5.0
// V1.2.10: a cell starting with one of these is taken for a formula by Excel, LibreOffice and
// Google Sheets, so it gets a leading apostrophe (and every cell is quoted).
const FORMULA_START = /^[=+\-@\t\r\0]/;

/**
 * A cell that a spreadsheet will not evaluate: one starting with `=`, `+`, `-`, `@`, tab, carriage
 * return or NUL gets a leading `'` (OWASP CSV Injection,
 * https://owasp.org/www-community/attacks/CSV_Injection). Knox Guard reasons and approveIds come
 * from outside this service, and admins open the report in a spreadsheet.
 *
 * @example
 * neutralizeFormula('=HYPERLINK("http://x")'); // `'=HYPERLINK("http://x")`
 * neutralizeFormula('353456789012345'); // unchanged
 */
export function neutralizeFormula(cell: string): string {
  return FORMULA_START.test(cell) ? `'${cell}` : cell;
}

/**
 * Renders report rows as CSV (RFC 4180: comma-separated, CRLF, a header row, every cell quoted,
 * quotes doubled) with `csv-stringify`, each cell passed through `neutralizeFormula`. Called with
 * one chunk's rows (at most 10,000), so memory is bounded by the chunk size, not the run's.
 *
 * @example
 * renderRunReportCsv([{ deviceId: '353456789012345', code: '4001809', codeName: 'LICENSE_IS_LACK',
 *   reason: 'No license, assign one', time: '2026-11-30T07:00:00.000Z' }]);
 * // '"deviceId","code","codeName","reason","time"\r\n"353456789012345","4001809",…\r\n'
 */
export function renderRunReportCsv(rows: readonly RunReportRow[]): string {
  return stringify(
    rows.map((row) => RUN_REPORT_COLUMNS.map((column) => neutralizeFormula(row[column]))),
    { header: true, columns: [...RUN_REPORT_COLUMNS], quoted: true, record_delimiter: 'windows' },
  );
}
