import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { type ChunkReportResult, createRunReports, type RunReports } from '../../lib/operations';
import { logger, metrics } from './observability';
import { once, onceAsync } from './once';
import { serviceConfig } from './runtime';

// Only the scheduler and the worker import this module: the S3 client's chunk then ships with
// them alone, and loads on the first chunk with failed devices.

const loadStore = onceAsync(async () =>
  (await import('./lazy/s3RunReportStore')).s3RunReportStore(serviceConfig().RUN_REPORTS_BUCKET as string),
);

/**
 * The run reports (RUN_REPORTS_BUCKET; undefined without it): each chunk with failed devices
 * writes `reports/<job>/<runId>/chunk-<n>.csv` there (lib/operations/runReport).
 */
export const runReports = /* @__PURE__ */ once((): RunReports | undefined => {
  const bucket = serviceConfig().RUN_REPORTS_BUCKET;
  if (!bucket) return undefined;
  return createRunReports({
    store: { put: async (key, rows) => (await loadStore()).put(key, rows) },
    bucket,
    region: process.env.AWS_REGION ?? 'us-east-1',
    clock: { now: () => Date.now() },
  });
});

/**
 * Logs and counts one chunk's report write. A failed write is an error in the log and a
 * `RunReportsFailed` metric; the chunk itself goes on (its alert says the list is missing and a
 * RUN_REPORT_UNWRITABLE alert names the error), so nothing is retried for it.
 */
export function recordReport(result: ChunkReportResult, log: Record<string, unknown>): void {
  if (result.written) {
    metrics.addMetric('RunReportsWritten', MetricUnit.Count, 1);
    logger.info('run report written', { ...log, key: result.key, rows: result.rows });
  } else {
    metrics.addMetric('RunReportsFailed', MetricUnit.Count, 1);
    logger.error('run report not written; the alerts say so', {
      ...log,
      key: result.key,
      rows: result.rows,
      error: result.error,
    });
  }
}
