import { type KnoxGuardFailure, serviceFailure } from '../errors';
import { isAlreadyInTargetState } from '../knox/operationTargetStates';
import type { ChunkMessage } from './chunkMessage';
import type { OperationExecutor, RunObservation } from './ports';

/**
 * What one chunk execution produced, in a compact, JSON-safe form: distinct failures are stored
 * once and devices point at them, so a 10,000-device chunk's outcome fits a DynamoDB item (the
 * idempotency record that makes redelivered chunks return this instead of calling Knox again).
 */
export interface ChunkOutcome {
  readonly runId: string;
  readonly chunk: number;
  readonly attempt: number;
  readonly requested: number;
  readonly succeeded: number;
  /**
   * Of `succeeded`, the devices Knox refused because they already were in the operation's target
   * state (DEVICE_STATE_INVALID "Current status is 'Locked'." on a lock): done before, by an
   * earlier run of this chunk whose outcome was lost, or by someone else.
   */
  readonly alreadyInTargetState?: number;
  /** Distinct failures (without `requestedId`), referenced by index from `failed`. */
  readonly errors: readonly KnoxGuardFailure[];
  /** `[deviceUid, index into errors]` for every failed device. */
  readonly failed: readonly (readonly [string, number])[];
  /**
   * Why the bulk path could not be used when the chunk ran one sync call per device instead
   * (raises one BULK_PATH_UNAVAILABLE warning for the run).
   */
  readonly bulkPathUnavailable?: string;
}

/**
 * Runs one chunk's device operation against Knox Guard and folds the per-device results into a
 * `ChunkOutcome`. A device already in the operation's target state counts as succeeded
 * (`isAlreadyInTargetState`), so re-running a chunk whose outcome was lost reports no false
 * failures. Never throws for Knox Guard failures: the client reports request-level failures
 * per device, so the outcome always accounts for every requested device.
 *
 * @example
 * const outcome = await executeChunk(message, { executor: knoxClient, deadline: Date.now() + 60_000 });
 * outcome.succeeded + outcome.failed.length === message.deviceUids.length; // true
 */
export async function executeChunk(
  message: ChunkMessage,
  deps: { readonly executor: OperationExecutor; readonly deadline?: number },
): Promise<ChunkOutcome> {
  const { results, bulkPathUnavailable } = await deps.executor.execute(
    message.operation,
    message.deviceUids,
    message.params,
    {
      deadline: deps.deadline,
    },
  );
  const errors: KnoxGuardFailure[] = [];
  const indexByKey = new Map<string, number>();
  const failed: (readonly [string, number])[] = [];
  let succeeded = 0;
  let already = 0;
  for (const result of results) {
    if (result.ok) {
      succeeded += 1;
      continue;
    }
    if (isAlreadyInTargetState(message.operation, result.error)) {
      succeeded += 1;
      already += 1;
      continue;
    }
    const { requestedId: _omit, ...failure } = result.error.toJSON();
    const key = `${failure.code}\u0000${failure.reason}\u0000${failure.retryable}`;
    let index = indexByKey.get(key);
    if (index === undefined) {
      index = errors.push(failure) - 1;
      indexByKey.set(key, index);
    }
    failed.push([result.requestedId, index]);
  }
  return {
    runId: message.runId,
    chunk: message.chunk,
    attempt: message.attempt,
    requested: message.deviceUids.length,
    succeeded,
    ...(already > 0 ? { alreadyInTargetState: already } : {}),
    errors,
    failed,
    ...(bulkPathUnavailable === undefined ? {} : { bulkPathUnavailable: bulkPathUnavailable.reason }),
  };
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
    successes: outcome.succeeded,
    failures: [
      ...outcome.failed.map(([deviceId, index]) => ({
        deviceId,
        error: outcome.errors[index] as KnoxGuardFailure,
      })),
      // One tenant-wide warning per chunk; the pipeline folds a run's into one alert group.
      ...(outcome.bulkPathUnavailable === undefined
        ? []
        : [{ error: serviceFailure('BULK_PATH_UNAVAILABLE', outcome.bulkPathUnavailable) }]),
    ],
  };
}

/**
 * The devices of an outcome whose failure may clear by itself (429, 5xx, timeouts, deadline).
 *
 * @example
 * const again = retryableDevices(outcome); // re-queued as the chunk's next attempt
 */
export function retryableDevices(outcome: ChunkOutcome): string[] {
  return outcome.failed
    .filter(([, index]) => outcome.errors[index]?.retryable)
    .map(([deviceUid]) => deviceUid);
}

/**
 * Failure counts per code, for logs, metrics and the run summary.
 *
 * @example
 * failuresByCode(outcome); // { LICENSE_IS_LACK: 12, DEVICE_STATE_INVALID: 3 }
 */
export function failuresByCode(outcome: ChunkOutcome): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const [, index] of outcome.failed) {
    const name = outcome.errors[index]?.codeName ?? 'UNKNOWN';
    counts[name] = (counts[name] ?? 0) + 1;
  }
  return counts;
}
