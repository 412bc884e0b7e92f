import { createHash } from 'node:crypto';
import { type KnoxGuardFailure, serviceFailure } from '../errors';
import { isAlreadyInTargetState } from '../knox/operationTargetStates';
import { maskDeviceId } from '../privacy';
import { type ChunkMessage, chunkKey, MAX_TRANSACTION_ID_LENGTH } from './chunkMessage';
import { OperationsError } from './errors';
import type { OperationExecutor, RunObservation } from './ports';

/** Masked device ids kept per failure code in a chunk outcome (the rest are counted only). */
export const OUTCOME_SAMPLES_PER_CODE = 20;
/** Characters of a failure's `reason` kept in a chunk outcome (one reason per code). */
export const OUTCOME_REASON_MAX = 300;
// One base-64 digit per device says which entry of `errors` it failed with, so a chunk keeps at
// most 64 entries; later codes beyond that are counted under the last one (Knox Guard's catalog
// has about 30 device codes, so this only bounds what a misbehaving answer could do).
const DIGITS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const SUCCEEDED = '.';

/** One failure code of a chunk: a representative failure, how many devices had it, masked samples. */
export type OutcomeError = Omit<KnoxGuardFailure, 'requestedId'> & {
  /** Devices of the chunk that failed with this code (and retryability). */
  readonly count: number;
  /** Up to `OUTCOME_SAMPLES_PER_CODE` masked device ids, in chunk order. */
  readonly samples: readonly string[];
};

/**
 * What one chunk execution produced, in a compact, JSON-safe form whose size does not depend on
 * what Knox Guard answered: one entry per failure code (counts, a truncated reason, at most 20
 * masked samples) and one character per device. It is the idempotency record's result (a DynamoDB
 * item, 400 KB at most), so a redelivered chunk returns it instead of calling Knox Guard again; a
 * 10,000-device chunk's outcome stays under ~15 KB whatever the devices' reasons are.
 */
export interface ChunkOutcome {
  readonly runId: string;
  readonly chunk: number;
  readonly attempt: number;
  readonly requested: number;
  readonly succeeded: number;
  /**
   * Of `succeeded`, the devices Knox refused because they already were in the operation's target
   * state (DEVICE_STATE_INVALID "Current status is 'Locked'." on a lock).
   */
  readonly alreadyInTargetState?: number;
  /** Devices that failed (the sum of `errors[].count`). */
  readonly failed: number;
  /** One entry per failure code and retryability, at most 64. */
  readonly errors: readonly OutcomeError[];
  /**
   * Every requested device's outcome, in `deviceUids` order: `.` succeeded, otherwise the base-64
   * digit (`A`-`Z`, `a`-`z`, `0`-`9`, `+`, `/`) of its entry in `errors`.
   */
  readonly devices: string;
  /** First 16 hex digits of the SHA-256 of the chunk's device ids: `devices` belongs to that list. */
  readonly devicesHash: string;
  /**
   * Why the bulk path could not be used when the chunk ran one sync call per device instead
   * (raises one BULK_PATH_UNAVAILABLE warning for the run).
   */
  readonly bulkPathUnavailable?: string;
  /**
   * The Knox Guard transaction that had not reported the chunk's NOT_FINISHED devices when polling
   * stopped (the first one, when a chunk was split into several): the follow-up polls it instead
   * of submitting the operation again.
   */
  readonly unfinishedTransactionId?: string;
}

/** A stored chunk outcome that was recorded for a different list of devices than the message's. */
export class ChunkOutcomeMismatchError extends OperationsError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ChunkOutcomeMismatchError';
  }
}

/**
 * Runs one chunk's device operation against Knox Guard and folds the per-device results into a
 * `ChunkOutcome`. A follow-up message naming a `transactionId` polls that transaction instead of
 * submitting the operation again (see `ChunkMessage.transactionId`). Never throws for Knox Guard failures: the client reports request-level failures
 * per device, so the outcome always accounts for every requested device.
 *
 * @example
 * const outcome = await executeChunk(message, { executor: knoxClient, deadline: Date.now() + 60_000 });
 * outcome.succeeded + outcome.failed === message.deviceUids.length; // true
 */
export async function executeChunk(
  message: ChunkMessage,
  deps: { readonly executor: OperationExecutor; readonly deadline?: number },
): Promise<ChunkOutcome> {
  const { results, bulkPathUnavailable, unfinishedTransactions } = await deps.executor.execute(
    message.operation,
    message.deviceUids,
    message.params,
    {
      deadline: deps.deadline,
      ...(message.transactionId === undefined ? {} : { resume: { transactionId: message.transactionId } }),
    },
  );
  // A device Knox refused because it already is in the operation's target state (DEVICE_STATE_INVALID
  // "Current status is 'Locked'." on a lock) was done before: by an earlier run of this chunk whose
  // outcome was lost, or by someone else. A success, not a false failure.
  let already = 0;
  let retryable = 0;
  let notFinished = 0;
  const outcome = foldOutcome(
    message,
    results.map((result) => {
      if (result.ok) return { requestedId: result.requestedId };
      if (isAlreadyInTargetState(message.operation, result.error)) {
        already += 1;
        return { requestedId: result.requestedId };
      }
      if (result.error.retryable) {
        retryable += 1;
        if (result.error.codeName === 'NOT_FINISHED') notFinished += 1;
      }
      return { requestedId: result.requestedId, failure: result.error.toJSON() };
    }),
    bulkPathUnavailable?.reason,
  );
  // A follow-up carries one handle and polls it instead of submitting. That is right only when every
  // retryable device is waiting in that one transaction: a device refused with 429/5xx (or left in a
  // second transaction of a split chunk) must be submitted again, so then no handle is carried and
  // the follow-up submits as before handles were (lock, unlock, approve and complete answer "already
  // in target state"; docs/reliability.md names the limit). A handle too long for a chunk message
  // (none seen from Knox) is not carried either, rather than the message being refused.
  const only = unfinishedTransactions?.length === 1 ? unfinishedTransactions[0] : undefined;
  const unfinished =
    only !== undefined && only.length <= MAX_TRANSACTION_ID_LENGTH && notFinished === retryable
      ? only
      : undefined;
  return {
    ...outcome,
    ...(already > 0 ? { alreadyInTargetState: already } : {}),
    ...(unfinished === undefined ? {} : { unfinishedTransactionId: unfinished }),
  };
}

/** Folds per-device results into the bounded `ChunkOutcome` (one pass, no per-device storage). */
function foldOutcome(
  message: Pick<ChunkMessage, 'runId' | 'chunk' | 'attempt' | 'deviceUids'>,
  results: Iterable<{ readonly requestedId: string; readonly failure?: KnoxGuardFailure }>,
  bulkPathUnavailable: string | undefined,
): ChunkOutcome {
  // Positions of each id in the chunk (a billing file may list a device twice).
  const positions = new Map<string, number[]>();
  message.deviceUids.forEach((id, position) => {
    const list = positions.get(id);
    if (list) list.push(position);
    else positions.set(id, [position]);
  });
  const devices: string[] = new Array(message.deviceUids.length).fill(SUCCEEDED);
  const errors: (Omit<OutcomeError, 'count' | 'samples'> & { count: number; samples: string[] })[] = [];
  const indexByKey = new Map<string, number>();
  let succeeded = 0;
  let failed = 0;
  for (const result of results) {
    if (!result.failure) {
      succeeded += 1;
      positions.get(result.requestedId)?.shift();
      continue;
    }
    const { requestedId: _omit, ...failure } = result.failure;
    const key = `${failure.codeName}\u0000${failure.retryable}`;
    let index = indexByKey.get(key);
    if (index === undefined) {
      index = Math.min(errors.length, DIGITS.length - 1);
      if (index === errors.length) {
        errors.push({
          ...failure,
          reason: String(failure.reason ?? '').slice(0, OUTCOME_REASON_MAX),
          count: 0,
          samples: [],
        });
      }
      indexByKey.set(key, index);
    }
    const entry = errors[index] as (typeof errors)[number];
    entry.count += 1;
    failed += 1;
    if (entry.samples.length < OUTCOME_SAMPLES_PER_CODE) entry.samples.push(maskDeviceId(result.requestedId));
    const position = positions.get(result.requestedId)?.shift();
    if (position !== undefined) devices[position] = DIGITS[index] as string;
  }
  return {
    runId: message.runId,
    chunk: message.chunk,
    attempt: message.attempt,
    requested: message.deviceUids.length,
    succeeded,
    failed,
    errors,
    devices: devices.join(''),
    devicesHash: devicesHash(message.deviceUids),
    ...(bulkPathUnavailable === undefined ? {} : { bulkPathUnavailable }),
  };
}

/**
 * The outcome an idempotency record returned, in the current shape. Records written before
 * outcomes were bounded (kept 7 days) list every failed device (`failed: [deviceUid, index][]`
 * into distinct `errors`); a chunk redelivered across the upgrade gets them folded as new ones are.
 *
 * @example
 * const outcome = upgradeChunkOutcome(await executeChunkIdempotently(message), message);
 */
export function upgradeChunkOutcome(
  stored: ChunkOutcome | LegacyChunkOutcome,
  message: Pick<ChunkMessage, 'runId' | 'chunk' | 'attempt' | 'deviceUids'>,
): ChunkOutcome {
  if (!Array.isArray(stored.failed)) return stored as ChunkOutcome;
  const legacy = stored as LegacyChunkOutcome;
  const failedIds = new Set(legacy.failed.map(([deviceUid]) => deviceUid));
  const results = [
    ...legacy.failed.map(([requestedId, index]) => ({
      requestedId,
      failure: legacy.errors[index] as KnoxGuardFailure,
    })),
    ...message.deviceUids.filter((id) => !failedIds.has(id)).map((requestedId) => ({ requestedId })),
  ];
  return foldOutcome(message, results, legacy.bulkPathUnavailable);
}

/** A chunk outcome as idempotency records stored it before outcomes were bounded. */
export interface LegacyChunkOutcome {
  readonly errors: readonly KnoxGuardFailure[];
  readonly failed: readonly (readonly [string, number])[];
  readonly bulkPathUnavailable?: string;
}

/**
 * The idempotency key of one chunk execution: `chunkKey` for a chunk's first attempt; a follow-up's
 * key also names its device list (`devicesHash`). Two follow-ups of one attempt can list different
 * devices: when an attempt's COMPLETED record was never written and a redelivery ran it again after
 * the in-progress record expired, Knox may answer the second run differently (the model test
 * `chunkStateMachine.model.test.ts` found a deadline, then a split transaction), and each run queues
 * its own retryable rest. Under one key the second follow-up found the first one's outcome, failed
 * with `ChunkOutcomeMismatchError` on every receive, and its devices stayed in the DLQ even after a
 * redrive. A first attempt keeps the plain key, so a billing file changed under the same run id is
 * still refused (`ChunkOutcomeMismatchError`) rather than run.
 *
 * @example
 * executionKey({ runId: 'r1', chunk: 3, attempt: 0, deviceUids: ['a'] }); // 'chunk#r1#3#0'
 * executionKey({ runId: 'r1', chunk: 3, attempt: 1, deviceUids: ['a'] }); // 'chunk#r1#3#1#ca978112ca1bbdca'
 */
export function executionKey(
  message: Pick<ChunkMessage, 'runId' | 'chunk' | 'attempt' | 'deviceUids'>,
): string {
  const key = chunkKey(message);
  return message.attempt === 0 ? key : `${key}#${devicesHash(message.deviceUids)}`;
}

function devicesHash(deviceUids: readonly string[]): string {
  return createHash('sha256').update(deviceUids.join('\n')).digest('hex').slice(0, 16);
}

/**
 * The devices of `message` that failed, each with its entry in `outcome.errors`, in chunk order.
 * Throws `ChunkOutcomeMismatchError` when the outcome was recorded for another device list (a
 * retried run whose billing file changed under the same run id).
 *
 * @example
 * for (const { deviceUid, error } of failedDevices(message, outcome)) console.log(error.codeName);
 */
export function failedDevices(
  message: Pick<ChunkMessage, 'deviceUids' | 'runId' | 'chunk'>,
  outcome: ChunkOutcome,
): { readonly deviceUid: string; readonly error: OutcomeError }[] {
  if (outcome.devicesHash !== devicesHash(message.deviceUids)) {
    throw new ChunkOutcomeMismatchError(
      `the stored outcome of chunk ${message.chunk} of ${message.runId} belongs to another device list`,
    );
  }
  const failed: { deviceUid: string; error: OutcomeError }[] = [];
  for (let position = 0; position < outcome.devices.length; position += 1) {
    const digit = outcome.devices[position] as string;
    if (digit === SUCCEEDED) continue;
    const error = outcome.errors[DIGITS.indexOf(digit)];
    if (error) failed.push({ deviceUid: message.deviceUids[position] as string, error });
  }
  return failed;
}

/**
 * The alert pipeline's view of a chunk outcome; `inProgress` says more chunks of the run are
 * still to come, so counts in an alert sent now are lower bounds.
 *
 * @example
 * await alerts.process(observationOf(message, outcome));
 */
export function observationOf(
  message: ChunkMessage,
  outcome: ChunkOutcome,
  inProgress = false,
): RunObservation {
  return {
    inProgress,
    stage: message.stage,
    job: message.job,
    runId: message.runId,
    operation: message.operation,
    contribution: `${message.chunk}.${message.attempt}`,
    successes: outcome.succeeded,
    failures: [
      // Masked samples first, then the rest of each code's devices without an id: the pipeline
      // counts every entry and shows a few samples.
      // The first entry of each code also carries the code's full ids, so the pipeline masks them
      // inside the one reason the code keeps (it may name any of them; a bare serial is no word
      // maskText can find). They are masked there, never shown.
      ...outcome.errors.flatMap(({ count, samples, ...error }, code) =>
        Array.from({ length: count }, (_, index) => {
          const entry = index < samples.length ? { deviceId: samples[index] as string, error } : { error };
          return index === 0 ? { ...entry, knownIds: idsOfCode(message, outcome, code) } : entry;
        }),
      ),
      // One tenant-wide warning per chunk; the pipeline folds a run's into one alert group.
      ...(outcome.bulkPathUnavailable === undefined
        ? []
        : [{ error: serviceFailure('BULK_PATH_UNAVAILABLE', outcome.bulkPathUnavailable) }]),
    ],
  };
}

/** The requested ids of the chunk's devices that failed with `outcome.errors[code]`. */
function idsOfCode(message: Pick<ChunkMessage, 'deviceUids'>, outcome: ChunkOutcome, code: number): string[] {
  const digit = DIGITS[code];
  const ids: string[] = [];
  for (let position = 0; position < outcome.devices.length; position += 1) {
    const id = message.deviceUids[position];
    if (outcome.devices[position] === digit && id !== undefined) ids.push(id);
  }
  return ids;
}

/**
 * The devices of a chunk whose failure may clear by itself (429, 5xx, timeouts, deadline).
 *
 * @example
 * const again = retryableDevices(message, outcome); // re-queued as the chunk's next attempt
 */
export function retryableDevices(
  message: Pick<ChunkMessage, 'deviceUids' | 'runId' | 'chunk'>,
  outcome: ChunkOutcome,
): string[] {
  return failedDevices(message, outcome)
    .filter(({ error }) => error.retryable)
    .map(({ deviceUid }) => deviceUid);
}

/**
 * Failure counts per code, for logs, metrics and the run summary.
 *
 * @example
 * failuresByCode(outcome); // { LICENSE_IS_LACK: 12, DEVICE_STATE_INVALID: 3 }
 */
export function failuresByCode(outcome: ChunkOutcome): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const error of outcome.errors) counts[error.codeName] = (counts[error.codeName] ?? 0) + error.count;
  return counts;
}
