import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseRunFailure } from '../../../lib/operations';
import { RunFailureCondition, UNKNOWN_JOB } from '../../../lib/operations/parseRunFailure';

// The record Lambda sends to an on-failure destination, as AWS documents it
// (https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html), with the
// request payload EventBridge Scheduler delivers to scheduledRun (infra/schedules.yml).
const record = (overrides: Record<string, unknown> = {}) => ({
  version: '1.0',
  timestamp: '2026-11-25T07:03:05.568Z',
  requestContext: {
    requestId: 'e4b46cbf-b738-xmpl-8880-a18cdf61200e',
    functionArn:
      'arn:aws:lambda:eu-central-1:123456789012:function:knox-guard-sentinel-prod-scheduledRun:$LATEST',
    condition: 'RetriesExhausted',
    approximateInvokeCount: 3,
  },
  requestPayload: { job: 'overdue-lock', scheduledTime: '2026-11-25T07:00:00Z' },
  responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
  responsePayload: {
    errorType: 'TargetsError',
    errorMessage: 'overdue/latest.csv: NoSuchKey',
    trace: ['TargetsError: overdue/latest.csv: NoSuchKey', '    at open (/var/task/index.mjs:1:1)'],
  },
  ...overrides,
});

describe('parseRunFailure', () => {
  it('reads job, scheduled time, request id, condition, attempts and the error of a RetriesExhausted record', () => {
    expect(parseRunFailure(JSON.stringify(record()))).toEqual({
      job: 'overdue-lock',
      scheduledTime: '2026-11-25T07:00:00Z',
      requestId: 'e4b46cbf-b738-xmpl-8880-a18cdf61200e',
      functionArn:
        'arn:aws:lambda:eu-central-1:123456789012:function:knox-guard-sentinel-prod-scheduledRun:$LATEST',
      condition: RunFailureCondition.retriesExhausted,
      attempts: 3,
      errorType: 'TargetsError',
      errorMessage: 'overdue/latest.csv: NoSuchKey',
      failedAt: '2026-11-25T07:03:05.568Z',
    });
  });

  it.each([
    [
      'a crash or timeout: no errorType, the runtime message only',
      { responsePayload: { errorMessage: 'RequestId: e4b4 Process exited before completing request' } },
      { errorType: 'Unhandled', errorMessage: 'RequestId: e4b4 Process exited before completing request' },
    ],
    [
      'an event that expired unrun: no response at all',
      {
        requestContext: { requestId: 'r-2', condition: 'EventAgeExceeded', approximateInvokeCount: 0 },
        responseContext: undefined,
        responsePayload: undefined,
      },
      {
        condition: 'EventAgeExceeded',
        attempts: 0,
        errorType: 'Unknown',
        errorMessage: 'the event expired in the Lambda queue before it could run (maximumEventAge)',
      },
    ],
    [
      'a payload that names no job',
      { requestPayload: { other: true } },
      { job: UNKNOWN_JOB, scheduledTime: undefined },
    ],
    [
      'a job name too long to be one of ours',
      { requestPayload: { job: 'x'.repeat(65) } },
      { job: UNKNOWN_JOB },
    ],
  ])('%s', (_case, overrides, expected) => {
    const failure = parseRunFailure(JSON.stringify(record(overrides)));
    for (const [key, value] of Object.entries(expected))
      expect(failure[key as keyof typeof failure], key).toBe(value);
  });

  it('masks device ids, phone numbers and e-mail addresses in the error message and keeps it to one line of 300', () => {
    const failure = parseRunFailure(
      JSON.stringify(
        record({
          responsePayload: {
            errorType: 'Error',
            errorMessage: `device 356938035643809 failed\ncall +491511234567 or ops@example.org ${'x'.repeat(400)}`,
          },
        }),
      ),
    );
    expect(failure.errorMessage).not.toMatch(/356938035643809|491511234567|ops@example\.org|\n/);
    expect(failure.errorMessage).toContain('35*********3809');
    expect(failure.errorMessage.length).toBeLessThanOrEqual(300);
    expect(failure.errorMessage.endsWith('...')).toBe(true);
  });

  // Break-it pass, 2026-12-01: a 253 KB base64url errorMessage was masked whole before the cut
  // (41 s, past runFailures' 30 s timeout, so the whole batch failed), and the other fields were
  // never bounded.
  it('bounds every field of a record with huge values', () => {
    const huge = 'A-_9'.repeat(63_000);
    const failure = parseRunFailure(
      JSON.stringify(
        record({
          requestContext: {
            requestId: huge,
            functionArn: huge,
            condition: huge,
            approximateInvokeCount: 3,
          },
          requestPayload: { job: 'overdue-lock', scheduledTime: huge },
          timestamp: huge,
          responsePayload: { errorType: huge, errorMessage: `${huge} 356938035643809` },
        }),
      ),
    );
    expect(failure.errorMessage).toHaveLength(300);
    expect(failure.errorType.length).toBeLessThanOrEqual(80);
    expect(failure.condition).toHaveLength(64);
    expect(failure.scheduledTime).toHaveLength(64);
    expect(failure.failedAt).toHaveLength(64);
    expect(failure.requestId).toHaveLength(128);
    expect(failure.functionArn).toHaveLength(256);
    expect(failure.job).toBe('overdue-lock');
  });

  it.each([
    ['not JSON', 'not json {', 'the on-failure record is not JSON'],
    ['JSON without requestContext', '{"job":"overdue-lock"}', 'the on-failure record has no requestContext'],
    ['a JSON array', '[1,2]', 'the on-failure record has no requestContext'],
  ])('still answers a failure to alert for %s', (_case, body, message) => {
    expect(parseRunFailure(body)).toEqual({
      job: UNKNOWN_JOB,
      condition: 'Unknown',
      attempts: 0,
      errorType: 'UnreadableRecord',
      errorMessage: message,
    });
  });

  it('never throws, whatever the body (fuzzed)', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.json(),
          fc
            .record({
              requestContext: fc.anything(),
              requestPayload: fc.anything(),
              responsePayload: fc.anything(),
            })
            .map((value) => JSON.stringify(value)),
        ),
        (body) => {
          const failure = parseRunFailure(body);
          expect(typeof failure.job).toBe('string');
          expect(failure.errorMessage.length).toBeLessThanOrEqual(300);
        },
      ),
      { numRuns: 2000 },
    );
  });
});
