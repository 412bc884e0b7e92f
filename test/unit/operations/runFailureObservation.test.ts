import { describe, expect, it } from 'vitest';
import { runFailureObservation } from '../../../lib/operations';
import type { RunFailure } from '../../../lib/operations/parseRunFailure';

const failure: RunFailure = {
  job: 'overdue-lock',
  scheduledTime: '2026-11-25T07:00:00Z',
  requestId: 'req-1',
  condition: 'RetriesExhausted',
  attempts: 3,
  errorType: 'ServiceConfigError',
  errorMessage: 'KNOX_CREDENTIALS_SECRET_ID: the secret must hold {clientIdentifier, certificate}',
};

describe('runFailureObservation', () => {
  it('is one critical SCHEDULED_RUN_FAILED failure of the job, under the run id scheduledRun used', () => {
    const observation = runFailureObservation(failure, 'prod');
    expect(observation).toMatchObject({
      stage: 'prod',
      job: 'overdue-lock',
      runId: 'overdue-lock@2026-11-25T07:00:00Z',
      operation: 'scheduled-run',
      successes: 0,
    });
    expect(observation.failures).toHaveLength(1);
    expect(observation.failures[0]?.error).toMatchObject({
      codeName: 'SCHEDULED_RUN_FAILED',
      severity: 'critical',
      actionable: true,
      reason:
        'scheduled run overdue-lock failed for good after 3 attempt(s) (RetriesExhausted): ServiceConfigError: KNOX_CREDENTIALS_SECRET_ID: the secret must hold {clientIdentifier, certificate}; request id req-1',
    });
  });

  it('says an expired event was given up, and falls back on the request id for the run id', () => {
    const observation = runFailureObservation(
      { ...failure, scheduledTime: undefined, condition: 'EventAgeExceeded', attempts: 0 },
      'dev',
    );
    expect(observation.runId).toBe('overdue-lock@req-1');
    expect(observation.failures[0]?.error.reason).toMatch(
      /^scheduled run overdue-lock was given up after 0 attempt\(s\): its event grew older than maximumEventAge \(EventAgeExceeded\)/,
    );
  });
});
