import {
  type DeviceResult,
  decodeBulk,
  KnoxGuardError,
  knoxCode,
  malformedResponseError,
  transportError,
} from '../errors';
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
  const unique = [...new Set(deviceUids)];
  const byId = new Map<string, DeviceResult>();
  if (unique.length === 1) {
    const id = unique[0] as string;
    byId.set(id, await runSingle(context, operation, id, params, deadline));
  } else if (unique.length > 1) {
    await runBulk(context, operation, unique, params, deadline, byId);
  }
  const results = deviceUids.map(
    (id) =>
      byId.get(id) ?? failed(id, malformedResponseError(200, 'No result was recorded for this device.')),
  );
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
  byId: Map<string, DeviceResult>,
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
      for (const result of await runChunk(context, operation, ids, params, deadline))
        byId.set(result.requestedId, result);
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
      for (const id of ids) byId.set(id, failed(id, error));
    }
  });
}

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
    const outcome = decodeBulk(body);
    const byId = new Map(outcome.results.map((result) => [result.requestedId, result]));
    return ids.map(
      (id) =>
        byId.get(id) ??
        failed(id, malformedResponseError(200, 'The transaction result has no entry for this device.')),
    );
  }
}

function failed(requestedId: string, error: KnoxGuardError): DeviceResult {
  const own =
    error.requestedId === requestedId
      ? error
      : new KnoxGuardError({ ...error.toJSON(), requestedId }, { cause: error.cause });
  return { ok: false, requestedId, error: own };
}
