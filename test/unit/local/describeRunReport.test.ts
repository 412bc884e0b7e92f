import { describe, expect, it } from 'vitest';
import { describeRunSummary } from '../../../local/describeRunSummary';

// The runner's line naming where a run's failed-device lists are (issue 14.2).
const base = {
  job: 'overdue-lock',
  runId: 'overdue-lock@2026-11-30T07:00:00Z',
  targets: 40,
  chunks: 1,
  succeeded: 38,
  failuresByCode: { DEVICE_NOT_FOUND: 2 },
  requeued: 0,
} as const;
const location =
  's3://knox-guard-sentinel-local-run-reports/reports/overdue-lock/overdue-lock@2026-11-30T07:00:00Z/';
const consoleUrl = 'https://us-east-1.console.aws.amazon.com/s3/buckets/x?region=us-east-1&prefix=reports%2F';

describe('describeRunSummary: the failed-device lists', () => {
  it('names the location of an inline run, and how many chunk lists are missing', () => {
    expect(describeRunSummary({ ...base, mode: 'inline', report: { location, consoleUrl } }).at(-1)).toBe(
      `failed-device lists: ${location}`,
    );
    expect(
      describeRunSummary({ ...base, mode: 'inline', report: { location, consoleUrl, unwritten: 1 } }).at(-1),
    ).toBe(`failed-device lists: ${location} (1 chunk list(s) could not be written)`);
  });

  it('names where the workers of a queued run write, and nothing for a run without a list', () => {
    expect(
      describeRunSummary({
        ...base,
        mode: 'queued',
        failuresByCode: {},
        report: { location, consoleUrl },
      }).at(-1),
    ).toBe(`failed-device lists (one per chunk with failures, written by the workers): ${location}`);
    expect(describeRunSummary({ ...base, mode: 'inline' }).join('\n')).not.toContain('failed-device lists');
  });
});
