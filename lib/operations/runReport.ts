import { type KnoxGuardFailure, serviceFailure } from '../errors';
import type { ChunkMessage } from './chunkMessage';
import { type ChunkOutcome, failedDevices } from './executeChunk';
import type { Clock, RunObservation } from './ports';

/** Every run report lives under this prefix of the run-reports bucket (its lifecycle rule's filter). */
export const RUN_REPORT_ROOT = 'reports/';

/** The report's columns, in order: the header row names them. */
export const RUN_REPORT_COLUMNS = ['deviceId', 'code', 'codeName', 'reason', 'time'] as const;

/** One failed device of a chunk, as the report lists it. */
export interface RunReportRow {
  /** The device id as the job sent it (IMEI, serial, objectId or approveId), unmasked. */
  readonly deviceId: string;
  /** The Knox Guard code (`4001809`) or this service's code name for conditions it detects. */
  readonly code: string;
  readonly codeName: string;
  /** Knox Guard's reason for the failure (one per code and chunk, at most 300 characters). */
  readonly reason: string;
  /** When the report was written, right after the chunk ran: ISO 8601 UTC (`2026-11-30T07:00:12.345Z`). */
  readonly time: string;
}

/**
 * Writes one report object; the S3 adapter is `createS3RunReportStore`, which renders the rows as
 * CSV (`renderRunReportCsv`) in the lazily loaded S3 chunk, so the CSV writer is not parsed at a
 * cold start.
 */
export interface RunReportStore {
  /** Creates or replaces the object at `key` (a retried chunk overwrites its own report). */
  put(key: string, rows: readonly RunReportRow[]): Promise<void>;
}

/** Where a run's reports are: the S3 location and the console page that lists them. */
export interface RunReportLink {
  /** `s3://<bucket>/reports/<job>/<runId>/` */
  readonly location: string;
  /** The S3 console's page of that prefix (see `runReportConsoleUrl`). */
  readonly consoleUrl: string;
}

/** What writing one chunk's report did; `written: false` carries the error, never throws. */
export type ChunkReportResult = RunReportLink & {
  readonly key: string;
  readonly rows: number;
} & ({ readonly written: true } | { readonly written: false; readonly error: string });

/** The run reports of one bucket: where they are and how a chunk's is written. */
export interface RunReports {
  /** The location of a run's reports (nothing is read or written). */
  locate(run: { readonly job: string; readonly runId: string }): RunReportLink;
  /**
   * Writes the failed devices of one chunk execution to its own object (`runReportKey`), or
   * answers `undefined` when no device failed. Never throws: a failed write (S3, KMS, an outcome
   * that belongs to another device list) answers `written: false` with the error.
   */
  writeChunk(
    message: Pick<ChunkMessage, 'job' | 'runId' | 'chunk' | 'attempt' | 'deviceUids'>,
    outcome: ChunkOutcome,
  ): Promise<ChunkReportResult | undefined>;
}

// One key segment: `/` would open a sub-folder in the console; nothing else in job names or run
// ids (`overdue-lock@2026-11-30T07:00:00.000Z`) needs replacing in an S3 key.
const segment = (text: string) => text.replaceAll('/', '_');

/**
 * The prefix of a run's reports: `reports/<job>/<runId>/`. Holds the job name and run id only.
 *
 * @example
 * runReportPrefix({ job: 'overdue-lock', runId: 'overdue-lock@2026-11-30T07:00:00.000Z' });
 * // 'reports/overdue-lock/overdue-lock@2026-11-30T07:00:00.000Z/'
 */
export function runReportPrefix(run: { readonly job: string; readonly runId: string }): string {
  return `${RUN_REPORT_ROOT}${segment(run.job)}/${segment(run.runId)}/`;
}

/**
 * The object of one chunk execution: `chunk-<n>.csv` for a chunk's first attempt and
 * `chunk-<n>-attempt-<a>.csv` for a follow-up attempt (the devices retried after a 429, 5xx or
 * deadline). A redelivered or retried chunk computes the same key and replaces its object, so a
 * run never lists a device twice for one attempt.
 *
 * @example
 * runReportKey({ job: 'overdue-lock', runId: 'r1', chunk: 3, attempt: 0 }); // 'reports/overdue-lock/r1/chunk-00003.csv'
 */
export function runReportKey(chunk: Pick<ChunkMessage, 'job' | 'runId' | 'chunk' | 'attempt'>): string {
  const attempt = chunk.attempt > 0 ? `-attempt-${chunk.attempt}` : '';
  return `${runReportPrefix(chunk)}chunk-${String(chunk.chunk).padStart(5, '0')}${attempt}.csv`;
}

/**
 * The S3 console page listing the objects under `prefix`, in the form the console itself puts in
 * the address bar when a folder is opened:
 * `https://<region>.console.aws.amazon.com/s3/buckets/<bucket>?region=<region>&prefix=<prefix>`
 * (AWS documents no console URL scheme; commercial partition only). Needs a console sign-in with
 * read access to the bucket and decrypt on its KMS key.
 *
 * @example
 * runReportConsoleUrl({ region: 'eu-central-1', bucket: 'kgs-reports', prefix: 'reports/a/r1/' });
 * // 'https://eu-central-1.console.aws.amazon.com/s3/buckets/kgs-reports?region=eu-central-1&prefix=reports%2Fa%2Fr1%2F'
 */
export function runReportConsoleUrl(place: {
  readonly region: string;
  readonly bucket: string;
  readonly prefix: string;
}): string {
  const region = encodeURIComponent(place.region);
  return `https://${region}.console.aws.amazon.com/s3/buckets/${encodeURIComponent(place.bucket)}?region=${region}&prefix=${encodeURIComponent(place.prefix)}`;
}

/**
 * Names where a run's reports are in `bucket` (pure: the alert pipeline uses it for the digest's
 * report line without loading the S3 client).
 *
 * @example
 * locateRunReports({ bucket: 'b', region: 'eu-central-1' })({ job: 'j', runId: 'r' }).location; // 's3://b/reports/j/r/'
 */
export function locateRunReports(place: {
  readonly bucket: string;
  readonly region: string;
}): RunReports['locate'] {
  return (run) => {
    const prefix = runReportPrefix(run);
    return {
      location: `s3://${place.bucket}/${prefix}`,
      consoleUrl: runReportConsoleUrl({ region: place.region, bucket: place.bucket, prefix }),
    };
  };
}

/**
 * The run reports of `bucket`: `locate` names a run's prefix and console page, `writeChunk` puts
 * one chunk's failed devices (full ids, Knox code, reason, time from `clock`) as CSV.
 *
 * @example
 * const reports = createRunReports({ store: createS3RunReportStore({ client, bucket }), bucket,
 *   region: 'eu-central-1', clock: Date });
 * const written = await reports.writeChunk(message, outcome); // { key, rows, written: true, ... }
 */
export function createRunReports(deps: {
  readonly store: RunReportStore;
  readonly bucket: string;
  readonly region: string;
  readonly clock: Clock;
}): RunReports {
  const locate = locateRunReports(deps);
  return {
    locate,
    async writeChunk(message, outcome) {
      if (outcome.failed === 0) return undefined;
      const key = runReportKey(message);
      const link = locate(message);
      let rows = 0;
      try {
        const time = new Date(deps.clock.now()).toISOString();
        const failed = failedDevices(message, outcome).map(
          ({ deviceUid, error }): RunReportRow => ({
            deviceId: deviceUid,
            code: error.code,
            codeName: error.codeName,
            reason: String(error.reason ?? ''),
            time,
          }),
        );
        rows = failed.length;
        await deps.store.put(key, failed);
        return { ...link, key, rows, written: true };
      } catch (error) {
        const detail = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
        return { ...link, key, rows, written: false, error: detail };
      }
    },
  };
}

/**
 * The RUN_REPORT_UNWRITABLE failure for a report that could not be written: added to the chunk's
 * observation, so the admins are told in an alert of its own. Names the chunk and the error,
 * never a device.
 *
 * @example
 * if (!result.written) failures.push({ error: unwritableReport(message, result) });
 */
export function unwritableReport(
  message: Pick<ChunkMessage, 'runId' | 'chunk' | 'attempt'>,
  result: Pick<ChunkReportResult, 'key'> & { readonly error: string },
): KnoxGuardFailure {
  const attempt = message.attempt > 0 ? ` (attempt ${message.attempt + 1})` : '';
  return serviceFailure(
    'RUN_REPORT_UNWRITABLE',
    `chunk ${message.chunk}${attempt} of run ${message.runId}: ${result.error}`.slice(0, 300),
  );
}

/**
 * `observation` with the chunk's report noted: its key and location for the alert's report line,
 * and when the write failed, one RUN_REPORT_UNWRITABLE failure so the admins learn it.
 *
 * @example
 * await alerts.process(withReport(observationOf(message, outcome), message, await reports.writeChunk(message, outcome)));
 */
export function withReport(
  observation: RunObservation,
  message: Pick<ChunkMessage, 'runId' | 'chunk' | 'attempt'>,
  result: ChunkReportResult | undefined,
): RunObservation {
  if (!result) return observation;
  const report = {
    key: result.key,
    location: result.location,
    consoleUrl: result.consoleUrl,
    written: result.written,
  };
  return {
    ...observation,
    report,
    failures: result.written
      ? observation.failures
      : [...observation.failures, { error: unwritableReport(message, result) }],
  };
}
