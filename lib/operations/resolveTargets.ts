import { Readable } from 'node:stream';
import { type CsvError, type Options as CsvOptions, parse } from 'csv-parse';
import type { JobTargets } from '../config';
import { parseDeviceId } from '../devices';
import { maskDeviceId, maskExcerpt } from '../privacy';
import { OperationsError } from './errors';
import type { DeviceLister, ObjectSource } from './ports';
import type { TargetsReport } from './targetsReport';

export interface TargetDeps {
  readonly objects?: ObjectSource;
  readonly devices?: DeviceLister;
  /**
   * Called for each row or entry that is skipped: `place` is `line 7` / `entry 3`, `detail` says
   * why with the id masked. For logs; the run's outcome gets the same through `report`.
   */
  readonly onInvalid?: (place: string, detail: string) => void;
  /** Collects skipped rows for the run's outcome (counts and a bounded sample). */
  readonly report?: TargetsReport;
  readonly deadline?: number;
}

/** A target source that cannot be read (missing S3 object, unparseable JSON, no adapter wired). */
export class TargetsError extends OperationsError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TargetsError';
  }
}

/** The separators a targets CSV may use; detected from the header line unless the job sets one. */
export const CSV_DELIMITERS = [',', ';', '\t'] as const;
export type CsvDelimiter = (typeof CSV_DELIMITERS)[number];

const ID_COLUMNS = ['deviceuid', 'imei', 'serial', 'serialnumber', 'deviceid', 'device'];
// A row longer than this is an unclosed quote swallowing the file: the file is refused as a whole
// rather than buffered into memory.
const MAX_RECORD_BYTES = 1024 * 1024;
const SkipReason = {
  unreadable: 'unreadable row',
  invalid: 'invalid device id',
  noColumn: 'missing column',
} as const;

/**
 * Streams the device ids of a job's targets: an inline list, a CSV or JSON object a billing system
 * dropped in S3, or a Knox Guard device-list filter (pages streamed, never all held at once).
 * Every id goes through `parseDeviceId` (lib/devices) and comes out in the form Knox Guard takes;
 * inline and file targets are de-duplicated, so one run never hits a device twice.
 *
 * CSV is read with csv-parse (RFC 4180 quoting, so `"Doe, Jane",356938035643809` is two fields),
 * streamed row by row, a UTF-8 BOM dropped; the separator is the job's `delimiter` or the one of
 * `,` `;` tab that occurs most often (outside quotes) in the first line. A row that cannot be read
 * or holds no valid id is skipped and reported through `report`/`onInvalid`, never silently.
 *
 * @throws TargetsError when the source cannot be read at all (missing object, invalid JSON, a
 * configured column the header lacks, a row over 1 MiB).
 * @example
 * for await (const id of resolveTargets({ source: 'knox', filter: { status: ['Locked'] } }, { devices: client })) ids.push(id);
 */
export async function* resolveTargets(targets: JobTargets, deps: TargetDeps): AsyncGenerator<string> {
  if (targets.source === 'knox') {
    if (!deps.devices) throw new TargetsError('knox targets need a Knox Guard client');
    for await (const device of deps.devices.iterateDevices(targets.filter, { deadline: deps.deadline })) {
      yield device.deviceUid;
    }
    return;
  }
  const skip = (place: string, reason: string, detail: string): void => {
    deps.report?.skip(place, reason, detail);
    deps.onInvalid?.(place, detail);
  };
  const seen = new Set<string>();
  const accept = (raw: string, place: string): string | undefined => {
    const parsed = parseDeviceId(raw);
    if (!parsed.ok) {
      skip(place, SkipReason.invalid, `"${maskDeviceId(maskExcerpt(raw.trim(), 64))}" is ${parsed.reason}`);
      return undefined;
    }
    if (seen.has(parsed.value)) return undefined;
    seen.add(parsed.value);
    return parsed.value;
  };
  if (targets.source === 'inline') {
    for (const [index, raw] of targets.deviceUids.entries()) {
      const id = accept(raw, `entry ${index + 1}`);
      if (id !== undefined) yield id;
    }
    return;
  }
  if (!deps.objects) throw new TargetsError('s3 targets need an object source (TARGETS_BUCKET)');
  const format = targets.format ?? (targets.key.toLowerCase().endsWith('.json') ? 'json' : 'csv');
  let body: AsyncIterable<Uint8Array | string>;
  try {
    body = await deps.objects.open(targets.key);
  } catch (error) {
    throw new TargetsError(`cannot read targets object ${targets.key}: ${readProblem(error)}`, {
      cause: error,
    });
  }
  const entries =
    format === 'json'
      ? jsonEntries(body, targets.key, skip)
      : csvEntries(body, { column: targets.column, delimiter: targets.delimiter, skip });
  for await (const { raw, place } of entries) {
    const id = accept(raw, place);
    if (id !== undefined) yield id;
  }
}

interface Entry {
  readonly raw: string;
  readonly place: string;
}

async function* csvEntries(
  body: AsyncIterable<Uint8Array | string>,
  options: {
    readonly column: string | undefined;
    readonly delimiter: CsvDelimiter | undefined;
    readonly skip: (place: string, reason: string, detail: string) => void;
  },
): AsyncGenerator<Entry> {
  const source = body[Symbol.asyncIterator]();
  // Enough of the start to see the header line; the rest is streamed through untouched.
  const head: Buffer[] = [];
  let headText = '';
  while (!headText.includes('\n') && headText.length < 64 * 1024) {
    const next = await source.next();
    if (next.done) break;
    const part = typeof next.value === 'string' ? Buffer.from(next.value) : Buffer.from(next.value);
    head.push(part);
    headText = Buffer.concat(head).toString('utf8');
  }
  const delimiter =
    options.delimiter ?? detectDelimiter(headText.replace(/^\uFEFF/, '').split('\n')[0] ?? '');
  // Everything below runs inside the parser, in file order, so line numbers and the order of
  // the report are the file's, whatever the consumer's pace.
  let lastLine = 0;
  let tooLong = false;
  let index: number | undefined;
  let headerError: TargetsError | undefined;
  const csvOptions: CsvOptions<Entry, string[]> = {
    bom: true,
    delimiter,
    trim: true,
    skip_empty_lines: true,
    relax_column_count: true,
    skip_records_with_error: true,
    max_record_size: MAX_RECORD_BYTES,
    on_skip: (error: CsvError | undefined) => {
      const endLine = Number((error as { lines?: number } | undefined)?.lines ?? lastLine + 1);
      const lines = endLine > lastLine + 1 ? `lines ${lastLine + 1}-${endLine}` : `line ${endLine}`;
      lastLine = endLine;
      if (error?.code === 'CSV_MAX_RECORD_SIZE') tooLong = true;
      if (tooLong) return;
      options.skip(lines, SkipReason.unreadable, `unreadable CSV row (${error?.code ?? 'parse error'})`);
    },
    on_record: (record: string[], context: { lines: number }): Entry | null => {
      const place = `line ${context.lines}`;
      lastLine = context.lines;
      if (headerError) return null;
      if (index === undefined) {
        const names = record.map((cell) => cell.toLowerCase().replace(/[\s_]/g, ''));
        const wanted = options.column?.toLowerCase().replace(/[\s_]/g, '');
        const found = wanted ? names.indexOf(wanted) : names.findIndex((name) => ID_COLUMNS.includes(name));
        if (wanted && found < 0) {
          headerError = new TargetsError(`CSV has no column named ${options.column}`);
          return null;
        }
        const isHeader = found >= 0 || !record.some((cell) => /\d{6,}/.test(cell));
        index = Math.max(found, 0);
        if (isHeader) return null;
      }
      const cell = record[index];
      if (cell === undefined) {
        options.skip(
          place,
          SkipReason.noColumn,
          `row has ${record.length} fields, the device id is field ${index + 1}`,
        );
        return null;
      }
      return { raw: cell, place };
    },
  };
  // csv-parse types on_record as returning the record type; our records become entries.
  const parser = parse(csvOptions as unknown as CsvOptions);
  const input = Readable.from(
    (async function* () {
      yield* head;
      for (let next = await source.next(); !next.done; next = await source.next()) {
        yield typeof next.value === 'string' ? Buffer.from(next.value) : next.value;
      }
    })(),
  );
  input.on('error', (error) => parser.destroy(error));
  input.pipe(parser);
  try {
    for await (const entry of parser as AsyncIterable<Entry>) {
      if (headerError) break;
      yield entry;
    }
  } catch (error) {
    throw new TargetsError(`targets CSV cannot be read after line ${lastLine}: ${(error as Error).message}`, {
      cause: error,
    });
  } finally {
    input.destroy();
  }
  if (headerError) throw headerError;
  // csv-parse reports an over-long record through on_skip and then stops: devices after it would
  // be lost without a word, so the file is refused as a whole.
  if (tooLong) {
    throw new TargetsError(
      `targets CSV has a row over ${MAX_RECORD_BYTES} bytes after line ${lastLine} (an unclosed quote?)`,
    );
  }
}

/**
 * The separator of a CSV header line: the most frequent of `,` `;` tab outside double quotes,
 * `,` when none occurs (a one-column file).
 *
 * @example
 * detectDelimiter('Kunde;IMEI;Betrag'); // ';'
 */
export function detectDelimiter(headerLine: string): CsvDelimiter {
  const counts = new Map<CsvDelimiter, number>(CSV_DELIMITERS.map((d) => [d, 0]));
  let quoted = false;
  for (const char of headerLine) {
    if (char === '"') quoted = !quoted;
    else if (!quoted && counts.has(char as CsvDelimiter))
      counts.set(char as CsvDelimiter, (counts.get(char as CsvDelimiter) ?? 0) + 1);
  }
  let best: CsvDelimiter = ',';
  for (const [delimiter, count] of counts) if (count > (counts.get(best) ?? 0)) best = delimiter;
  return best;
}

async function* jsonEntries(
  body: AsyncIterable<Uint8Array | string>,
  key: string,
  skip: (place: string, reason: string, detail: string) => void,
): AsyncGenerator<Entry> {
  const decoder = new TextDecoder();
  let text = '';
  for await (const part of body)
    text += typeof part === 'string' ? part : decoder.decode(part, { stream: true });
  text += decoder.decode();
  let json: unknown;
  try {
    json = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    throw new TargetsError(`targets object ${key} is not valid JSON`, { cause: error });
  }
  const list = Array.isArray(json) ? json : (json as { deviceUids?: unknown } | null)?.deviceUids;
  if (!Array.isArray(list))
    throw new TargetsError(`targets object ${key} must be a JSON array or {"deviceUids": [...]}`);
  for (const [index, item] of list.entries()) {
    const place = `entry ${index + 1}`;
    if (typeof item === 'string' || typeof item === 'number') yield { raw: String(item), place };
    else if (typeof item === 'object' && item !== null) {
      const record = item as Record<string, unknown>;
      const id = record.deviceUid ?? record.imei ?? record.serial;
      if (typeof id === 'string' || typeof id === 'number') yield { raw: String(id), place };
      else skip(place, SkipReason.noColumn, 'entry has no deviceUid, imei or serial');
    } else skip(place, SkipReason.invalid, `entry is ${item === null ? 'null' : typeof item}`);
  }
}

/**
 * What went wrong reading a targets object, in words for the alert: the problem, never the S3
 * error's own message (S3's AccessDenied names the bucket and the role's ARN; the alert names the
 * key, the runbook the checks). S3 error names: https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html
 *
 * @example
 * readProblem(Object.assign(new Error('...arn:aws:s3:::acme-targets/...'), { name: 'AccessDenied' })); // 'access denied (...)'
 */
export function readProblem(error: unknown): string {
  const name = (error as { name?: unknown } | undefined)?.name;
  const status = (error as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata
    ?.httpStatusCode;
  switch (name) {
    case 'NoSuchKey':
    case 'NotFound':
      return 'the object does not exist (has the billing export run?)';
    case 'NoSuchBucket':
      return "the stack's targets bucket does not exist";
    case 'AccessDenied':
    case 'Forbidden':
      return "access denied (the function role, the bucket policy or the stack's KMS key)";
    case 'InvalidObjectState':
      return 'the object is archived (restore it or upload it again)';
    default:
      if (status === 403)
        return "access denied (the function role, the bucket policy or the stack's KMS key)";
      if (status === 404) return 'the object does not exist (has the billing export run?)';
      return typeof name === 'string' && /^[A-Za-z]+$/.test(name) && name !== 'Error'
        ? `S3 answered ${name}`
        : 'S3 could not be read (see the scheduledRun logs)';
  }
}
