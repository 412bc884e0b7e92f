import { serviceFailure } from '../errors';
import type { RunFailure } from './parseRunFailure';
import { RunFailureCondition } from './parseRunFailure';
import type { RunObservation } from './ports';

/**
 * What the alert pipeline is told about a scheduled run Lambda gave up on: one
 * `SCHEDULED_RUN_FAILED` failure for the job, so the alert groups per (stage, job), is deduplicated
 * across redelivered records and resolves when a later run of the job succeeds. The run id is the
 * one scheduledRun used (`<job>@<scheduledTime>`, else the request id), so the alert and the
 * run's own alerts and logs name the same run.
 *
 * @example
 * await alertPipeline.process(runFailureObservation(parseRunFailure(record.body), 'prod'));
 * // reason: 'scheduled run overdue-lock failed for good after 3 attempts (RetriesExhausted): TargetsError: ...'
 */
export function runFailureObservation(failure: RunFailure, stage: string): RunObservation {
  const runId = `${failure.job}@${failure.scheduledTime ?? failure.requestId ?? failure.failedAt ?? 'unknown'}`;
  return {
    stage,
    job: failure.job,
    runId,
    operation: 'scheduled-run',
    // A redelivered failure record of the same run counts once.
    contribution: 'run-failure',
    successes: 0,
    failures: [{ error: serviceFailure('SCHEDULED_RUN_FAILED', describeRunFailure(failure)) }],
  };
}

/**
 * One line for the alert's reason: what gave up, after how many attempts, the error, and the
 * request id to search the logs for.
 *
 * @example
 * describeRunFailure(failure);
 * // 'scheduled run overdue-lock failed for good after 3 attempts (RetriesExhausted): ServiceConfigError: ...; request id 8ea1...'
 */
export function describeRunFailure(failure: RunFailure): string {
  const what =
    failure.condition === RunFailureCondition.eventAgeExceeded
      ? `scheduled run ${failure.job} was given up after ${failure.attempts} attempt(s): its event grew older than maximumEventAge (EventAgeExceeded)`
      : `scheduled run ${failure.job} failed for good after ${failure.attempts} attempt(s) (${failure.condition})`;
  const request = failure.requestId ? `; request id ${failure.requestId}` : '';
  return `${what}: ${failure.errorType}: ${failure.errorMessage}${request}`;
}
