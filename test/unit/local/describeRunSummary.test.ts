import { describe, expect, it } from 'vitest';
import { describeRunSummary, describeRunTotals } from '../../../local/describeRunSummary';

// What functions/scheduled-run.ts returns, as `npm start` prints it.
describe('describeRunSummary (npm start)', () => {
  it('an unavailable licence check says so, and how a deployed stage gets it, never "undefined devices"', () => {
    const lines = describeRunSummary({
      unavailable:
        'licence-health is unavailable: the Knox Guard licence paths are unverified and not enabled (KNOX_UNVERIFIED_LICENCE_API=true enables them).',
    });

    expect(lines[0]).toBe(
      'licence check not run: licence-health is unavailable: the Knox Guard licence paths are unverified and not enabled (KNOX_UNVERIFIED_LICENCE_API=true enables them).',
    );
    expect(lines.join('\n')).toContain('knoxUnverifiedLicenceApi "true"');
    expect(lines.join('\n')).toContain('npm run knox:check');
    expect(lines.join('\n')).not.toMatch(/undefined/);
  });

  it.each([
    [
      { freeSeats: 3, totalSeats: 100, usedSeats: 97, licences: 1, low: true },
      ['licence seats: 3 free of 100 (below the threshold: LICENSE_SEATS_LOW alerted)'],
    ],
    [
      { freeSeats: 400, totalSeats: 500, usedSeats: 100, licences: 2, low: false },
      ['licence seats: 400 free of 500'],
    ],
    [
      { error: { code: '4030104', codeName: 'USER_BLOCKED_STATE', reason: 'blocked' } },
      ['licence check failed: 4030104 USER_BLOCKED_STATE: blocked'],
    ],
  ] as const)('licence-health result %j', (summary, lines) => {
    expect(describeRunSummary(summary)).toEqual(lines);
  });

  it('device runs: inline with failures by code, queued, and disabled', () => {
    const base = { job: 'overdue-lock', runId: 'r', requeued: 0 };

    expect(
      describeRunSummary({
        ...base,
        mode: 'inline',
        targets: 40,
        chunks: 1,
        succeeded: 38,
        failuresByCode: { '4001809': 2 },
        requeued: 2,
      }),
    ).toEqual([
      '40 devices, run inline in 1 chunk(s): 38 succeeded, 2 failed',
      `  ${'4001809'.padEnd(34)} x2`,
      '2 device(s) with retryable failures queued for another attempt',
    ]);
    expect(
      describeRunSummary({
        ...base,
        mode: 'queued',
        targets: 5000,
        chunks: 5,
        succeeded: 0,
        failuresByCode: {},
      }),
    ).toEqual(['5000 devices split into 5 chunk messages on the operations queue']);
    expect(
      describeRunSummary({
        ...base,
        mode: 'disabled',
        targets: 0,
        chunks: 0,
        succeeded: 0,
        failuresByCode: {},
      }),
    ).toEqual(['overdue-lock is disabled in this stage: nothing was run']);
  });
});

describe('describeRunTotals (npm start, after the workers of a fanned-out run)', () => {
  it('prints the final totals per code', () => {
    expect(
      describeRunTotals({
        chunks: 4,
        done: 4,
        complete: true,
        succeeded: 10,
        failed: 30,
        failuresByCode: { LICENSE_IS_LACK: 30 },
      }),
    ).toEqual([
      'final totals (4 of 4 chunks): 10 succeeded, 30 failed',
      `  ${'LICENSE_IS_LACK'.padEnd(34)} x30`,
    ]);
  });

  it('says when the run is not complete or unknown', () => {
    expect(
      describeRunTotals({
        chunks: 4,
        done: 3,
        complete: false,
        succeeded: 5,
        failed: 0,
        failuresByCode: {},
      })[0],
    ).toBe('final totals (3 of 4 chunks, not complete): 5 succeeded, 0 failed');
    expect(describeRunTotals(undefined)).toEqual(['final totals: the run tracker has no record of this run']);
  });
});
