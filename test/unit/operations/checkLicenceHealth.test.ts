import { describe, expect, it } from 'vitest';
import { failureFromEnvelope, SERVICE_CODES, serviceFailure } from '../../../lib/errors';
import { checkLicenceHealth } from '../../../lib/operations';
import { recordingSink } from '../../helpers/operationsFakes';

const run = {
  stage: 'test',
  job: 'licence-health',
  runId: 'r1',
  minFreeSeats: 100,
  now: Date.parse('2026-11-25T08:00:00Z'),
};

describe('checkLicenceHealth', () => {
  it('reports LICENSE_SEATS_LOW below the threshold, counting only licences that have not expired', async () => {
    const sink = recordingSink();
    const licences = [
      { name: 'main', totalSeats: 1000, usedSeats: 950 },
      { name: 'expired', totalSeats: 500, usedSeats: 0, expiresAt: '2026-01-01T00:00:00Z' },
      { name: 'extra', totalSeats: 40, usedSeats: 0, expiresAt: '2027-01-01T00:00:00Z' },
    ];
    const health = await checkLicenceHealth({ listLicenses: async () => licences }, sink, run);
    expect(health).toEqual({ totalSeats: 1040, usedSeats: 950, freeSeats: 90, licences: 2, low: true });
    expect(sink.observations).toHaveLength(1);
    expect(sink.observations[0]).toMatchObject({ successes: 0, operation: 'licence-health' });
    expect(sink.observations[0]?.failures[0]?.error).toMatchObject({
      codeName: 'LICENSE_SEATS_LOW',
      severity: 'warning',
      reason: '90 of 1040 seats free across 2 active licence(s); threshold 100.',
    });
  });

  it('reports a success (which resolves the alert) when enough seats are free', async () => {
    const sink = recordingSink();
    const health = await checkLicenceHealth(
      { listLicenses: async () => [{ name: 'main', totalSeats: 1000, usedSeats: 10 }] },
      sink,
      run,
    );
    expect(health).toMatchObject({ freeSeats: 990, low: false });
    expect(sink.observations[0]).toMatchObject({ successes: 1, failures: [] });
  });

  it('reports a failing licence listing as that Knox Guard failure', async () => {
    const sink = recordingSink();
    const blocked = failureFromEnvelope({ code: 4030104, message: 'USER_BLOCKED_STATE' }, 403);
    const health = await checkLicenceHealth({ listLicenses: async () => Promise.reject(blocked) }, sink, run);
    expect(health).toMatchObject({ error: { codeName: 'USER_BLOCKED_STATE' } });
    expect(sink.observations[0]?.failures[0]?.error.codeName).toBe('USER_BLOCKED_STATE');
  });
});

describe('service codes', () => {
  it.each(SERVICE_CODES.map((entry) => [entry.codeName] as const))(
    '%s is classified with a remediation',
    (name) => {
      const failure = serviceFailure(name as 'LICENSE_SEATS_LOW', 'why');
      expect(failure).toMatchObject({ codeName: name, reason: 'why', known: true });
      // Only what clears by itself needs no one to act.
      expect(failure.actionable).toBe(!failure.retryable);
      expect(failure.remediation.length).toBeGreaterThan(20);
    },
  );
});
