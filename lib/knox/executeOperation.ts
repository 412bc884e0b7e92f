import {
  type DeviceResult,
  decodeBulk,
  KnoxGuardError,
  knoxCode,
  malformedResponseError,
  transportError,
} from '../errors';
import { lazyFailure } from '../errors/decodeBulk';
import { maskDeviceId } from '../privacy';
import { chunkRanges, shrinkRange } from './chunkRanges';
import type { DeviceOperation } from './constants';
import type { KnoxHttp } from './KnoxHttp';
import { drainQueue } from './mapWithConcurrency';
import { KNOX_PATHS } from './paths';
import type { Clock, KnoxLogger, OperationOutcome, OperationParams } from './types';

export interface ExecuteContext {
  readonly http: KnoxHttp;
  readonly clock: Clock;
  readonly sleep: (ms: number) => Promise<void>;
  readonly bulkLimit: number;
  readonly concurrency: number;
  readonly transactionPollMs: number;
  readonly logger?: KnoxLogger | undefined;
}

const BULK_LIMIT_CODE = knoxCode('DEVICE_BULK_OPERATION_LIMIT_EXCEEDED').code;
const RUNNING_STATES = new Set(['IN_PROGRESS', 'PROCESSING', 'RUNNING', 'PENDING', 'QUEUED']);

/**
 * Runs one operation on a list of devices: one sync call for a single device, otherwise the
 * `...Async` path per chunk of at most `bulkLimit` devices (at most `concurrency` chunks in
 * flight) with its `/transaction` result decoded per device. A chunk Knox refuses as too large is
 * halved and the lower limit kept for the rest of the run. A request-level failure that survives
 * the retries becomes that failure for every device of the chunk; nothing here throws a Knox error.
 *
 * @example
 * const outcome = await executeOperation(context, 'lock', ids, { message, tel }, deadline);
 */
export async function executeOperation(
  context: ExecuteContext,
  operation: DeviceOperation,
  deviceUids: readonly string[],
  params: OperationParams,
  deadline: number | undefined,
): Promise<OperationOutcome> {
  // Knox would answer a duplicate id twice (the second time DEVICE_STATE_INVALID), so send each once.
  const distinct = new Set(deviceUids);
  const unique = distinct.size === deviceUids.length ? deviceUids : [...distinct];
  // Results by position in `unique` (a chunk is a range of it), not by id: no per-device hashing.
  const slots: (DeviceResult | undefined)[] = new Array(unique.length);
  if (unique.length === 1) {
    slots[0] = await runSingle(context, operation, unique[0] as string, params, deadline);
  } else if (unique.length > 1) {
    await runBulk(context, operation, unique, params, deadline, slots);
  }
  const resultAt = (slot: number, id: string): DeviceResult =>
    slots[slot] ?? failed(id, malformedResponseError(200, 'No result was recorded for this device.'));
  const results: DeviceResult[] = new Array(deviceUids.length);
  if (unique === deviceUids) {
    for (let i = 0; i < deviceUids.length; i += 1) results[i] = resultAt(i, deviceUids[i] as string);
  } else {
    const slotOf = new Map<string, number>();
    for (let i = 0; i < unique.length; i += 1) slotOf.set(unique[i] as string, i);
    for (let i = 0; i < deviceUids.length; i += 1) {
      const id = deviceUids[i] as string;
      results[i] = resultAt(slotOf.get(id) as number, id);
    }
  }
  return { operation, results };
}

async function runSingle(
  context: ExecuteContext,
  operation: DeviceOperation,
  deviceUid: string,
  params: OperationParams,
  deadline: number | undefined,
): Promise<DeviceResult> {
  try {
    const body = await context.http.call({
      method: 'POST',
      path: KNOX_PATHS.operations[operation].sync,
      body: { deviceUid, ...params },
      deadline,
      auth: true,
    });
    const objectId = (body as { objectId?: unknown } | undefined)?.objectId;
    return typeof objectId === 'string'
      ? { ok: true, requestedId: deviceUid, objectId }
      : { ok: true, requestedId: deviceUid };
  } catch (error) {
    if (!(error instanceof KnoxGuardError)) throw error;
    context.logger?.warn('knox operation failed', {
      operation,
      device: maskDeviceId(deviceUid),
      code: error.code,
    });
    return failed(deviceUid, error);
  }
}

async function runBulk(
  context: ExecuteContext,
  operation: DeviceOperation,
  unique: readonly string[],
  params: OperationParams,
  deadline: number | undefined,
  slots: (DeviceResult | undefined)[],
): Promise<void> {
  let knownLimit = context.bulkLimit;
  const queue = chunkRanges(unique.length, knownLimit);
  await drainQueue(queue, context.concurrency, async (range, pending) => {
    const size = range.end - range.start;
    if (size > knownLimit) {
      // An earlier chunk taught a lower limit: split before sending instead of being refused again.
      pending.unshift(...chunkRanges(size, knownLimit, range.start));
      return;
    }
    const ids = unique.slice(range.start, range.end);
    try {
      const results = await runChunk(context, operation, ids, params, deadline);
      for (let i = 0; i < results.length; i += 1) slots[range.start + i] = results[i];
    } catch (error) {
      if (!(error instanceof KnoxGuardError)) throw error;
      if (error.code === BULK_LIMIT_CODE && size > 1) {
        knownLimit = Math.min(knownLimit, Math.ceil(size / 2));
        context.logger?.info('knox bulk limit exceeded, shrinking chunk', {
          operation,
          size,
          next: knownLimit,
        });
        pending.unshift(...shrinkRange(range, knownLimit));
        return;
      }
      context.logger?.warn('knox bulk request failed', { operation, devices: size, code: error.code });
      for (let i = 0; i < ids.length; i += 1) slots[range.start + i] = failed(ids[i] as string, error);
    }
  });
}

/** One result per id of `ids`, in the same order. */
async function runChunk(
  context: ExecuteContext,
  operation: DeviceOperation,
  ids: readonly string[],
  params: OperationParams,
  deadline: number | undefined,
): Promise<DeviceResult[]> {
  const { http, clock, sleep, transactionPollMs } = context;
  const submitted = await http.call({
    method: 'POST',
    path: KNOX_PATHS.operations[operation].async,
    body: { deviceUidList: ids, ...params },
    deadline,
    auth: true,
    // Resending the same oversized list cannot succeed; the caller shrinks it instead.
    shouldRetry: (error) => error.retryable && error.code !== BULK_LIMIT_CODE,
  });
  const transactionId = (submitted as { transactionId?: unknown } | undefined)?.transactionId;
  if (typeof transactionId !== 'string' && typeof transactionId !== 'number') {
    throw malformedResponseError(200, 'The bulk answer has no transactionId.');
  }
  for (;;) {
    const body = await http.call({
      method: 'POST',
      path: KNOX_PATHS.transaction,
      body: { transactionId: String(transactionId) },
      deadline,
      auth: true,
    });
    const status = (body as { status?: unknown } | undefined)?.status;
    if (typeof status === 'string' && RUNNING_STATES.has(status.toUpperCase())) {
      if (deadline !== undefined && clock.now() + transactionPollMs >= deadline) {
        throw transportError(
          'timeout',
          new Error(`Transaction ${transactionId} was still running at the deadline.`),
        );
      }
      await sleep(transactionPollMs);
      continue;
    }
    return matchResults(ids, decodeBulk(body).results);
  }
}

/**
 * Lines the decoded results up with the ids sent. Knox answers in request order, so position i
 * normally is id i; only when it is not are the results looked up by id (an id answered twice:
 * the last answer wins; an id not answered: MALFORMED_RESPONSE).
 */
function matchResults(ids: readonly string[], results: readonly DeviceResult[]): DeviceResult[] {
  if (results.length === ids.length) {
    let aligned = true;
    for (let i = 0; i < ids.length && aligned; i += 1) aligned = results[i]?.requestedId === ids[i];
    // The ids are distinct, so an aligned list has no id twice: the same as the lookup below.
    if (aligned) return results as DeviceResult[];
  }
  const byId = new Map<string, DeviceResult>();
  for (const result of results) byId.set(result.requestedId, result);
  return ids.map(
    (id) =>
      byId.get(id) ??
      failed(id, malformedResponseError(200, 'The transaction result has no entry for this device.')),
  );
}

/** A failed result for `requestedId`: `error` itself when it names this device, else a copy that does (built on first read). */
function failed(requestedId: string, error: KnoxGuardError): DeviceResult {
  if (error.requestedId === requestedId) return { ok: false, requestedId, error };
  return lazyFailure(requestedId, { ...error.toJSON(), requestedId }, { cause: error.cause });
}
