import { setImmediate as nextTurn } from 'node:timers/promises';
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
import { chunkRanges, type IndexRange, shrinkRange } from './chunkRanges';
import type { DeviceOperation } from './constants';
import { DistinctIds } from './DistinctIds';
import type { KnoxHttp } from './KnoxHttp';
import { KNOX_PATHS } from './paths';
import { type RequestGate, RequestSlots } from './RequestSlots';
import type { Clock, KnoxLogger, OperationOutcome, OperationParams } from './types';

export interface ExecuteContext {
  readonly http: KnoxHttp;
  readonly clock: Clock;
  readonly sleep: (ms: number) => Promise<void>;
  readonly bulkLimit: number;
  /** Knox Guard requests in flight per operation (submits and transaction polls together). */
  readonly concurrency: number;
  readonly transactionPollMs: number;
  readonly logger?: KnoxLogger | undefined;
}

const BULK_LIMIT_CODE = knoxCode('DEVICE_BULK_OPERATION_LIMIT_EXCEEDED').code;
const RUNNING_STATES = new Set(['IN_PROGRESS', 'PROCESSING', 'RUNNING', 'PENDING', 'QUEUED']);
/**
 * Who gets a freed request slot first: requests of chunks already started (a retried submit, the
 * parts of a split chunk), then submits of chunks not sent yet, then transaction polls. Submitting
 * everything first keeps every slot busy: a chunk's poll can only follow its submit, and while
 * submits remain there is always one to send.
 */
const PRIORITY = { started: 0, unsent: 1, poll: 2 } as const;
const PRIORITIES = 3;

/**
 * Runs one operation on a list of devices: one sync call for a single device, otherwise the
 * `...Async` path per chunk of at most `bulkLimit` devices with its `/transaction` result decoded
 * per device. `concurrency` bounds the Knox Guard requests in flight (what Knox's rate limits
 * count), not the chunks: submits and transaction polls share the slots, a slot is held only
 * while a request is out (a poll's until its answer arrives, before it is parsed; never during
 * backoff or the sleep between polls of a running transaction), and freed slots go to unsent
 * chunks' submits before polls, so N chunks take ceil(2N / concurrency) round trips (at least 2)
 * instead of 2 x ceil(N / concurrency). A chunk Knox refuses as too large is halved and the lower
 * limit kept for the rest of the run. A request-level failure that survives the retries becomes
 * that failure for every device of the chunk; nothing here throws a Knox error. Results come back
 * in input order.
 *
 * @example
 * // 100,000 devices, bulkLimit 10,000, concurrency 4: 10 submits + 10 polls in 5 round trips.
 * const outcome = await executeOperation(context, 'lock', ids, { message, tel }, deadline);
 * outcome.results[0]; // { ok: true, requestedId: ids[0], objectId: '...' }
 */
export async function executeOperation(
  context: ExecuteContext,
  operation: DeviceOperation,
  deviceUids: readonly string[],
  params: OperationParams,
  deadline: number | undefined,
): Promise<OperationOutcome> {
  // Knox would answer a duplicate id twice (the second time DEVICE_STATE_INVALID), so send each
  // once. Results by position in the list of distinct ids (a chunk is a range of it), not by id:
  // no per-device hashing. Sized for the input, so chunks finishing out of order fill it in place.
  const slots: (DeviceResult | undefined)[] = new Array(deviceUids.length);
  let unique: readonly string[] = deviceUids;
  const first = deviceUids[0];
  if (first !== undefined && deviceUids.every((id) => id === first)) {
    if (deviceUids.length > 1) unique = [first];
    slots[0] = await runSingle(context, operation, first, params, deadline);
  } else if (first !== undefined) {
    unique = await runBulk(context, operation, deviceUids, params, deadline, slots);
  }
  const resultAt = (slot: number, id: string): DeviceResult =>
    slots[slot] ?? failed(id, malformedResponseError(200, 'No result was recorded for this device.'));
  if (unique === deviceUids) {
    // Every id distinct: the slots are the results, once none is left empty.
    for (let i = 0; i < deviceUids.length; i += 1) slots[i] ??= resultAt(i, deviceUids[i] as string);
    return { operation, results: slots as DeviceResult[] };
  }
  const slotOf = new Map<string, number>();
  for (let i = 0; i < unique.length; i += 1) slotOf.set(unique[i] as string, i);
  const results: DeviceResult[] = new Array(deviceUids.length);
  for (let i = 0; i < deviceUids.length; i += 1) {
    const id = deviceUids[i] as string;
    results[i] = resultAt(slotOf.get(id) as number, id);
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

/** Runs the `...Async` path over the distinct ids of `deviceUids`; returns them (`slots` is by their position). */
async function runBulk(
  context: ExecuteContext,
  operation: DeviceOperation,
  deviceUids: readonly string[],
  params: OperationParams,
  deadline: number | undefined,
  slots: (DeviceResult | undefined)[],
): Promise<readonly string[]> {
  const distinct = new DistinctIds(deviceUids);
  const requests = new RequestSlots(context.concurrency, PRIORITIES);
  let knownLimit = context.bulkLimit;
  await new Promise<void>((resolve, reject) => {
    let running = 0;
    // Tasks start further tasks (the chunks, their split or halved parts), so the run ends when
    // none is left.
    const start = (task: () => Promise<void>): void => {
      running += 1;
      task().then(() => {
        running -= 1;
        if (running === 0) resolve();
      }, reject);
    };

    async function runRange(range: IndexRange, priority: number): Promise<void> {
      // Wait for a slot before looking at the range: the limit may drop while it waits.
      const turn = await requests.enter(priority);
      let chunk = range;
      if (chunk.end - chunk.start > knownLimit) {
        // An earlier chunk taught a lower limit: split before sending instead of being refused again.
        const [head, ...rest] = chunkRanges(chunk.end - chunk.start, knownLimit, chunk.start);
        chunk = head as IndexRange;
        for (const part of rest) start(() => runRange(part, PRIORITY.started));
      }
      const size = chunk.end - chunk.start;
      const ids = distinct.slice(chunk);
      const submit: Submit = {
        gate: requests.gate(PRIORITY.started, { held: turn }),
        // Learned while the refused submit still holds its slot, so whichever submit gets the slot
        // next is already split to the lower limit.
        refusedAsTooLarge: () => {
          if (size > 1) knownLimit = Math.min(knownLimit, Math.ceil(size / 2));
        },
      };
      try {
        const results = await runChunk(context, operation, ids, params, deadline, submit, requests);
        for (let i = 0; i < results.length; i += 1) slots[chunk.start + i] = results[i];
      } catch (error) {
        if (!(error instanceof KnoxGuardError)) throw error;
        if (error.code === BULK_LIMIT_CODE && size > 1) {
          context.logger?.info('knox bulk limit exceeded, shrinking chunk', {
            operation,
            size,
            next: knownLimit,
          });
          for (const part of shrinkRange(chunk, knownLimit)) start(() => runRange(part, PRIORITY.started));
          return;
        }
        context.logger?.warn('knox bulk request failed', { operation, devices: size, code: error.code });
        for (let i = 0; i < ids.length; i += 1) slots[chunk.start + i] = failed(ids[i] as string, error);
      } finally {
        // Normally the submit's first attempt gave the slot back already; not if it never went out.
        turn();
      }
    }

    // Chunks are cut as the ids are read: after each, a turn of the event loop lets its submit go
    // out before the next chunk's ids are checked for duplicates.
    start(async () => {
      for (let range = distinct.next(knownLimit); range; range = distinct.next(knownLimit)) {
        const chunk = range;
        start(() => runRange(chunk, PRIORITY.unsent));
        if (!distinct.done) await nextTurn();
      }
    });
  });
  return distinct.list;
}

/** How a chunk's submit goes out: its gate (holding the slot already won) and what a refusal teaches. */
interface Submit {
  readonly gate: RequestGate;
  readonly refusedAsTooLarge: () => void;
}

/** One result per id of `ids`, in the same order; polls wait for slots of their own. */
async function runChunk(
  context: ExecuteContext,
  operation: DeviceOperation,
  ids: readonly string[],
  params: OperationParams,
  deadline: number | undefined,
  submit: Submit,
  requests: RequestSlots,
): Promise<DeviceResult[]> {
  const { http, clock, sleep, transactionPollMs } = context;
  const submitted = await http.call({
    method: 'POST',
    path: KNOX_PATHS.operations[operation].async,
    body: { deviceUidList: ids, ...params },
    deadline,
    auth: true,
    // Resending the same oversized list cannot succeed; the caller shrinks it instead.
    shouldRetry: (error) => {
      if (error.code !== BULK_LIMIT_CODE) return error.retryable;
      submit.refusedAsTooLarge();
      return false;
    },
    gate: submit.gate,
  });
  const transactionId = (submitted as { transactionId?: unknown } | undefined)?.transactionId;
  if (typeof transactionId !== 'string' && typeof transactionId !== 'number') {
    throw malformedResponseError(200, 'The bulk answer has no transactionId.');
  }
  const polls = requests.gate(PRIORITY.poll, { releaseOnArrival: true });
  for (;;) {
    const body = await http.call({
      method: 'POST',
      path: KNOX_PATHS.transaction,
      body: { transactionId: String(transactionId) },
      deadline,
      auth: true,
      gate: polls,
    });
    const status = (body as { status?: unknown } | undefined)?.status;
    if (typeof status === 'string' && RUNNING_STATES.has(status.toUpperCase())) {
      if (deadline !== undefined && clock.now() + transactionPollMs >= deadline) {
        throw transportError(
          'timeout',
          new Error(`Transaction ${transactionId} was still running at the deadline.`),
        );
      }
      // Outside the gate: a transaction Knox is still working on holds no slot while we wait.
      await sleep(transactionPollMs);
      continue;
    }
    // A turn of the event loop between parsing this answer (in `http.call`) and decoding it, so
    // answers that arrived meanwhile give their request slots back first.
    await nextTurn();
    return matchResults(ids, decodeBulk(body, ids).results);
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
