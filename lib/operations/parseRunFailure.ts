import { excerpt, maskExcerpt } from '../privacy';

/** The job label of a record whose request payload names no job (not one of ours, or mangled). */
export const UNKNOWN_JOB = 'unknown-job';

/** Why Lambda gave up on an asynchronous invocation, as the record's `requestContext.condition` says. */
export const RunFailureCondition = {
  /** The function returned an error on every attempt (1 + maximumRetryAttempts). */
  retriesExhausted: 'RetriesExhausted',
  /** The event waited in Lambda's queue longer than maximumEventAge (throttling, concurrency 0). */
  eventAgeExceeded: 'EventAgeExceeded',
} as const;
export type RunFailureCondition = (typeof RunFailureCondition)[keyof typeof RunFailureCondition];

/** One scheduled run Lambda gave up on, read from its on-failure destination record. */
export interface RunFailure {
  /** `requestPayload.job`, or {@link UNKNOWN_JOB}. */
  readonly job: string;
  /** `requestPayload.scheduledTime` (ISO 8601, set by EventBridge Scheduler), when present. */
  readonly scheduledTime?: string;
  /** `requestContext.requestId`: the id to look for in the scheduledRun logs. */
  readonly requestId?: string;
  readonly functionArn?: string;
  /** `RetriesExhausted`, `EventAgeExceeded`, or whatever else Lambda wrote (kept verbatim). */
  readonly condition: string;
  /** `requestContext.approximateInvokeCount`: attempts made (0 when the event expired unrun). */
  readonly attempts: number;
  /**
   * `responsePayload.errorType`, e.g. `ServiceConfigError`; else `responseContext.functionError`
   * (`Unhandled` for a crash or timeout); `Unknown` when Lambda gave neither.
   */
  readonly errorType: string;
  /** `responsePayload.errorMessage`, one line, masked (IMEIs, phones, e-mails), at most 300 characters. */
  readonly errorMessage: string;
  /** The record's `timestamp`: when Lambda gave up. */
  readonly failedAt?: string;
}

const MAX_MESSAGE = 300;

/**
 * Reads the invocation record Lambda sends to an asynchronous function's on-failure destination
 * (here an SQS queue: the message body is the record's JSON). Shape, per AWS "Capturing records of
 * Lambda asynchronous invocations" (https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html):
 * `{ version, timestamp, requestContext: { requestId, functionArn, condition, approximateInvokeCount },
 * requestPayload, responseContext: { statusCode, executedVersion, functionError },
 * responsePayload: { errorType, errorMessage, trace } }`. `responsePayload` may lack `errorType`
 * (a crash or timeout: "Process exited before completing request") or be absent (the event
 * expired unrun).
 *
 * Total on purpose: a record that is not JSON or not shaped like this still means a run was given
 * up on, so it answers a `RunFailure` with what it could read (job {@link UNKNOWN_JOB}) rather than
 * throwing and leaving the failure unreported. The stack trace is never kept: it is in the logs.
 *
 * @example
 * parseRunFailure(record.body);
 * // { job: 'overdue-lock', scheduledTime: '2026-11-25T07:00:00Z', condition: 'RetriesExhausted',
 * //   attempts: 3, errorType: 'TargetsError', errorMessage: 'overdue/latest.csv: NoSuchKey', ... }
 */
export function parseRunFailure(body: string): RunFailure {
  let record: unknown;
  try {
    record = JSON.parse(body);
  } catch {
    return unreadable('the on-failure record is not JSON');
  }
  if (!isObject(record) || !isObject(record.requestContext)) {
    return unreadable('the on-failure record has no requestContext');
  }
  const context = record.requestContext;
  const request = isObject(record.requestPayload) ? record.requestPayload : {};
  const response = isObject(record.responsePayload) ? record.responsePayload : undefined;
  const responseContext = isObject(record.responseContext) ? record.responseContext : {};
  // Every field is bounded: a record is logged and alerted whole, and its fields come from a
  // function's error (a 250 KB errorMessage) or the schedule's input.
  const condition = bounded(text(context.condition), 64) ?? 'Unknown';
  const attempts = Number.isInteger(context.approximateInvokeCount)
    ? (context.approximateInvokeCount as number)
    : 0;
  const job = text(request.job);
  const scheduledTime = bounded(text(request.scheduledTime), 64);
  const requestId = bounded(text(context.requestId), 128);
  const functionArn = bounded(text(context.functionArn), 256);
  const failedAt = bounded(text(record.timestamp), 64);
  const message =
    text(response?.errorMessage) ??
    (typeof record.responsePayload === 'string' ? record.responsePayload : undefined) ??
    (condition === RunFailureCondition.eventAgeExceeded
      ? 'the event expired in the Lambda queue before it could run (maximumEventAge)'
      : 'no error message in the record');
  return {
    job: job !== undefined && job.length <= 64 ? job : UNKNOWN_JOB,
    ...(scheduledTime === undefined ? {} : { scheduledTime }),
    ...(requestId === undefined ? {} : { requestId }),
    ...(functionArn === undefined ? {} : { functionArn }),
    condition,
    attempts,
    errorType: oneLine(text(response?.errorType) ?? text(responseContext.functionError) ?? 'Unknown', 80),
    errorMessage: oneLine(message, MAX_MESSAGE),
    ...(failedAt === undefined ? {} : { failedAt }),
  };
}

function unreadable(why: string): RunFailure {
  return {
    job: UNKNOWN_JOB,
    condition: 'Unknown',
    attempts: 0,
    errorType: 'UnreadableRecord',
    errorMessage: why,
  };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

function oneLine(value: string, max: number): string {
  return maskExcerpt(value, max).replace(/\s+/g, ' ').trim();
}

// AWS-generated ids and times: cut, not masked (an account id in an ARN is not a phone number).
function bounded(value: string | undefined, max: number): string | undefined {
  return value === undefined ? undefined : excerpt(value, max);
}
