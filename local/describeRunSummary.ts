import type { LicenceHealth, LicenceHealthUnavailable, RunSummary, RunTotals } from '../lib/operations';

/** What `scheduledRun` returns: a device job's run summary or one of licence-health's three results. */
export type ScheduledRunResult =
  | RunSummary
  | LicenceHealth
  | LicenceHealthUnavailable
  | { readonly error: { readonly code: string; readonly codeName: string; readonly reason: string } };

/**
 * The lines `npm start` prints for one scheduled run, from what the `scheduledRun` handler
 * returned (functions/scheduled-run.ts). licence-health returns no device summary: a seat count,
 * a failed licence listing, or `{ unavailable }` when the licence paths are not enabled
 * (`knoxUnverifiedLicenceApi`, lib/operations/checkLicenceHealth.ts); each gets its own line, so
 * an unavailable check never reads as "undefined devices".
 *
 * @example
 * describeRunSummary({ freeSeats: 3, totalSeats: 100, usedSeats: 97, licences: 1, low: true });
 * // ['licence seats: 3 free of 100 (below the threshold: LICENSE_SEATS_LOW alerted)']
 */
export function describeRunSummary(summary: ScheduledRunResult): string[] {
  if ('unavailable' in summary) {
    return [
      `licence check not run: ${summary.unavailable}`,
      'A deployed stage schedules licence-health only with the param knoxUnverifiedLicenceApi "true": check the licence paths with `npm run knox:check -- --licences` first.',
    ];
  }
  if ('error' in summary) {
    return [`licence check failed: ${summary.error.code} ${summary.error.codeName}: ${summary.error.reason}`];
  }
  if ('freeSeats' in summary) {
    return [
      `licence seats: ${summary.freeSeats} free of ${summary.totalSeats}${summary.low ? ' (below the threshold: LICENSE_SEATS_LOW alerted)' : ''}`,
    ];
  }
  if (summary.mode === 'disabled') return [`${summary.job} is disabled in this stage: nothing was run`];
  const failures = Object.entries(summary.failuresByCode ?? {});
  const failed = failures.reduce((n, [, count]) => n + count, 0);
  const out = [
    summary.mode === 'queued'
      ? `${summary.targets} devices split into ${summary.chunks} chunk messages on the operations queue`
      : `${summary.targets} devices, run inline in ${summary.chunks} chunk(s): ${summary.succeeded} succeeded, ${failed} failed`,
  ];
  for (const [code, count] of failures) out.push(`  ${code.padEnd(34)} x${count}`);
  if (summary.requeued)
    out.push(`${summary.requeued} device(s) with retryable failures queued for another attempt`);
  if (summary.report) {
    const missing = summary.report.unwritten
      ? ` (${summary.report.unwritten} chunk list(s) could not be written)`
      : '';
    out.push(
      `failed-device lists${summary.mode === 'queued' ? ' (one per chunk with failures, written by the workers)' : ''}: ${summary.report.location}${missing}`,
    );
  }
  return out;
}

/**
 * The lines `npm start` prints once the workers have drained a fanned-out run: the final totals
 * the run tracker summed over the chunks' first attempts (lib/operations/runTracker.ts), the same
 * count the run-complete alert update carries. Printed after the workers, since the scheduler's
 * own summary only knows how many chunks it queued.
 *
 * @example
 * describeRunTotals({ chunks: 3, done: 3, complete: true, succeeded: 10, failed: 2, failuresByCode: { LICENSE_IS_LACK: 2 } });
 * // ['final totals (3 of 3 chunks): 10 succeeded, 2 failed', '  LICENSE_IS_LACK                    x2']
 */
export function describeRunTotals(totals: RunTotals | undefined): string[] {
  if (!totals) return ['final totals: the run tracker has no record of this run'];
  const out = [
    `final totals (${totals.done} of ${totals.chunks ?? '?'} chunks${totals.complete ? '' : ', not complete'}): ${totals.succeeded} succeeded, ${totals.failed} failed`,
  ];
  for (const [code, count] of Object.entries(totals.failuresByCode))
    out.push(`  ${code.padEnd(34)} x${count}`);
  return out;
}
