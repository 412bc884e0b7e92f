import { setImmediate as nextTurn } from 'node:timers/promises';
import {
  type DeviceResult,
  decodeBulk,
  KnoxGuardError,
  knoxCode,
  malformedResponseError,
  serviceFailure,
} from '../errors';
import { lazyFailure } from '../errors/decodeBulk';
import { maskDeviceId } from '../privacy';
import { chunkRanges, type IndexRange, shrinkRange } from './chunkRanges';
import type { DeviceOperation } from './constants';
import { DistinctIds } from './DistinctIds';
import { KnoxError } from './errors';
import type { KnoxHttp } from './KnoxHttp';
import { ASYNC_ID_LIST_FIELD, type KnoxPaths } from './paths';
import { type RequestGate, RequestSlots } from './RequestSlots';
import type { Clock, KnoxLogger, OperationOutcome, OperationParams } from './types';

export interface ExecuteContext {
  readonly http: KnoxHttp;
  readonly clock: Clock;
  readonly sleep: (ms: number) => Promise<void>;
  readonly paths: KnoxPaths;
  readonly bulkLimit: number;
  /** Knox Guard requests in flight per operation (submits and transaction polls together). */
  readonly concurrency: number;
  /** First wait between polls of an unfinished transaction; grows x1.5 per poll up to `transactionPollMaxMs`. */
  readonly transactionPollMs: number;
  readonly transactionPollMaxMs: number;
  /** How long to poll one transaction when the caller gave no deadline. */
  readonly transactionMaxWaitMs: number;
  /** The `x-knox-transactionId` of each async submit (its handle when the answer names none). */
  readonly newTransactionId: () => string;
  /**
   * Operations whose `...Async` path this client found unavailable, and why: their later runs go
   * per device at once (and still report it, so each run raises its warning).
   */
  readonly bulkUnavailable: Map<DeviceOperation, string>;
  readonly logger?: KnoxLogger | undefined;
}

const BULK_LIMIT_CODE = knoxCode('DEVICE_BULK_OPERATION_LIMIT_EXCEEDED').code;
/** `status` values that mean "not finished" when a Knox answer carries one (none is documented). */
const RUNNING_STATES = new Set(['IN_PROGRESS', 'PROCESSING', 'RUNNING', 'PENDING', 'QUEUED', 'STARTED']);
/** HTTP statuses that say a path does not exist or is not served: the bulk path is unavailable. */
const PATH_MISSING = new Set([404, 405, 501]);
const POLL_GROWTH = 1.5;
/** Transaction answers of an unreadable shape in a row after which the bulk path counts as unavailable. */
const UNREADABLE_POLLS = 3;

/** The `...Async` path cannot be used for this run: the chunk runs per device instead. */
class BulkPathUnavailableError extends KnoxError {
  constructor(reason: string, options?: { cause?: unknown }) {
    super(reason, options);
    this.name = 'BulkPathUnavailableError';
  }
}
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
 * in input order. Devices a transaction had not reported when the deadline came are NOT_FINISHED
 * and their transaction's handle is listed in `unfinishedTransactions`.
 *
 * With `resume`, nothing is submitted: the earlier transaction `resume.transactionId` is polled
 * (the same poll loop, within the deadline) for every device, which gets the result Knox reports
 * for it there, or NOT_FINISHED again when it reports none. A resumed run never falls back to the
 * per-device path either: sending the operation again is what resuming avoids (a message shown
 * twice).
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
  resume?: { readonly transactionId: string },
): Promise<OperationOutcome> {
  // Knox would answer a duplicate id twice (the second time DEVICE_STATE_INVALID), so send each
  // once. Results by position in the list of distinct ids (a chunk is a range of it), not by id:
  // no per-device hashing. Sized for the input, so chunks finishing out of order fill it in place.
  const slots: (DeviceResult | undefined)[] = new Array(deviceUids.length);
  let unique: readonly string[] = deviceUids;
  const first = deviceUids[0];
  const bulk: BulkState = { unfinished: new Set() };
  if (resume !== undefined && first !== undefined) {
    const distinct = new Set(deviceUids);
    if (distinct.size < deviceUids.length) unique = [...distinct];
    const requests = new RequestSlots(context.concurrency, PRIORITIES);
    const results = await resumeTransaction(
      context,
      operation,
      unique,
      resume.transactionId,
      deadline,
      requests,
      bulk,
    );
    for (let i = 0; i < results.length; i += 1) slots[i] = results[i];
  } else if (first !== undefined && deviceUids.every((id) => id === first)) {
    if (deviceUids.length > 1) unique = [first];
    slots[0] = await runSingle(context, operation, first, params, deadline);
  } else if (first !== undefined) {
    unique = await runBulk(context, operation, deviceUids, params, deadline, slots, bulk);
  }
  const notice = {
    ...(bulk.unavailable === undefined ? {} : { bulkPathUnavailable: { reason: bulk.unavailable } }),
    ...(bulk.unfinished.size === 0 ? {} : { unfinishedTransactions: [...bulk.unfinished] }),
  };
  const resultAt = (slot: number, id: string): DeviceResult =>
    slots[slot] ?? failed(id, malformedResponseError(200, 'No result was recorded for this device.'));
  if (unique === deviceUids) {
    // Every id distinct: the slots are the results, once none is left empty.
    for (let i = 0; i < deviceUids.length; i += 1) slots[i] ??= resultAt(i, deviceUids[i] as string);
    return { operation, results: slots as DeviceResult[], ...notice };
  }
  const slotOf = new Map<string, number>();
  for (let i = 0; i < unique.length; i += 1) slotOf.set(unique[i] as string, i);
  const results: DeviceResult[] = new Array(deviceUids.length);
  for (let i = 0; i < deviceUids.length; i += 1) {
    const id = deviceUids[i] as string;
    results[i] = resultAt(slotOf.get(id) as number, id);
  }
  return { operation, results, ...notice };
}

/** What a bulk run learned about the `...Async` path (set when it ran per device instead). */
interface BulkState {
  unavailable?: string;
  /** Handles of transactions that left devices NOT_FINISHED. */
  readonly unfinished: Set<string>;
}

/** The sync path of `operation`; `accept` has no source and sends `approve`. */
function syncPath(context: ExecuteContext, operation: DeviceOperation): string {
  return context.paths.operations[operation === 'accept' ? 'approve' : operation].sync;
}

/** The `...Async` path of `operation`, or undefined when none is known (cancelComplete). */
function asyncPath(context: ExecuteContext, operation: DeviceOperation): string | undefined {
  return context.paths.operations[operation === 'accept' ? 'approve' : operation].async;
}

async function runSingle(
  context: ExecuteContext,
  operation: DeviceOperation,
  deviceUid: string,
  params: OperationParams,
  deadline: number | undefined,
  gate?: RequestGate,
): Promise<DeviceResult> {
  try {
    const body = await context.http.call({
      method: 'POST',
      path: syncPath(context, operation),
      body: { deviceUid, ...params },
      deadline,
      auth: true,
      ...(gate === undefined ? {} : { gate }),
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
  bulk: BulkState,
): Promise<readonly string[]> {
  const distinct = new DistinctIds(deviceUids);
  const requests = new RequestSlots(context.concurrency, PRIORITIES);
  let knownLimit = context.bulkLimit;
  const path = asyncPath(context, operation);
  // Without a known async path (cancelComplete) every device is one sync call, by design: no warning.
  const perDeviceOnly = path === undefined;
  const known = context.bulkUnavailable.get(operation);
  if (known !== undefined) bulk.unavailable = known;
  /** One sync call per id of the chunk, sharing this run's request slots. */
  const runPerDevice = async (range: IndexRange): Promise<void> => {
    const ids = distinct.slice(range);
    const gate = requests.gate(PRIORITY.started);
    await Promise.all(
      ids.map(async (id, i) => {
        slots[range.start + i] = await runSingle(context, operation, id, params, deadline, gate);
      }),
    );
  };
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
      if (perDeviceOnly || bulk.unavailable !== undefined) return runPerDevice(range);
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
        const results = await runChunk(context, operation, ids, params, deadline, submit, requests, bulk);
        for (let i = 0; i < results.length; i += 1) slots[chunk.start + i] = results[i];
      } catch (error) {
        if (error instanceof BulkPathUnavailableError) {
          if (bulk.unavailable === undefined) {
            bulk.unavailable = error.message;
            context.bulkUnavailable.set(operation, error.message);
            context.logger?.warn('knox bulk path unavailable, running per device', {
              operation,
              reason: error.message,
            });
          }
          turn();
          await runPerDevice(chunk);
          return;
        }
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

/**
 * One result per id of `ids`, in the same order; polls wait for slots of their own. The submit
 * carries a fresh `x-knox-transactionId`, which is the transaction's handle unless the answer
 * names a `transactionId`; each poll sends the handle as header and body field. The transaction is
 * finished when its results cover every id sent (a `status` field is read only when present: a
 * running one means not finished), polled with a growing, capped wait; ids without a result when
 * the deadline comes are NOT_FINISHED (retryable). Throws `BulkPathUnavailableError` when the async
 * path or its transaction answers 404/405/501 or a shape that cannot be read.
 */
async function runChunk(
  context: ExecuteContext,
  operation: DeviceOperation,
  ids: readonly string[],
  params: OperationParams,
  deadline: number | undefined,
  submit: Submit,
  requests: RequestSlots,
  bulk: BulkState,
): Promise<DeviceResult[]> {
  const { http } = context;
  const path = asyncPath(context, operation) as string;
  const sent = context.newTransactionId();
  let submitted: unknown;
  try {
    submitted = await http.call({
      method: 'POST',
      path,
      body: { [ASYNC_ID_LIST_FIELD]: ids, ...params },
      deadline,
      auth: true,
      transactionId: sent,
      // Resending the same oversized list cannot succeed; the caller shrinks it instead.
      shouldRetry: (error) => {
        if (error.code !== BULK_LIMIT_CODE) return error.retryable;
        submit.refusedAsTooLarge();
        return false;
      },
      gate: submit.gate,
    });
  } catch (error) {
    throw pathMissing(error, path);
  }
  const answered = (submitted as { transactionId?: unknown } | undefined)?.transactionId;
  if (typeof submitted !== 'object' || submitted === null || Array.isArray(submitted)) {
    throw new BulkPathUnavailableError(`${path} answered a body that is not a JSON object.`);
  }
  if (answered !== undefined && typeof answered !== 'string' && typeof answered !== 'number') {
    throw new BulkPathUnavailableError(`${path} answered a transactionId that is not a string or number.`);
  }
  const handle = answered === undefined || answered === '' ? sent : String(answered);
  context.logger?.info('knox bulk submitted', { operation, devices: ids.length, transactionId: handle });
  return pollTransaction(context, operation, ids, handle, deadline, requests, bulk);
}

/**
 * Polls an earlier invocation's transaction for `ids` instead of submitting (see `executeOperation`).
 * A transaction path that answers 404/405/501 or shapes it cannot read leaves the devices
 * NOT_FINISHED here, where a fresh run would go per device: that would send the operation again.
 */
async function resumeTransaction(
  context: ExecuteContext,
  operation: DeviceOperation,
  ids: readonly string[],
  handle: string,
  deadline: number | undefined,
  requests: RequestSlots,
  bulk: BulkState,
): Promise<DeviceResult[]> {
  context.logger?.info('knox transaction resumed', { operation, devices: ids.length, transactionId: handle });
  try {
    return await pollTransaction(context, operation, ids, handle, deadline, requests, bulk);
  } catch (error) {
    if (!(error instanceof BulkPathUnavailableError)) throw error;
    bulk.unfinished.add(handle);
    return ids.map((id) => notFinished(id, handle, error.message));
  }
}

/**
 * Polls transaction `handle` until its results cover every id of `ids` (and no `status` says it
 * is running) or the deadline comes; ids without a result then are NOT_FINISHED and `handle` is
 * added to `bulk.unfinished`. Throws `BulkPathUnavailableError` as `runChunk` documents.
 */
async function pollTransaction(
  context: ExecuteContext,
  operation: DeviceOperation,
  ids: readonly string[],
  handle: string,
  deadline: number | undefined,
  requests: RequestSlots,
  bulk: BulkState,
): Promise<DeviceResult[]> {
  const { http, clock, sleep } = context;
  const until = deadline ?? clock.now() + context.transactionMaxWaitMs;
  const covered = new Map<string, DeviceResult>();
  const polls = requests.gate(PRIORITY.poll, { releaseOnArrival: true });
  // Checked inside the retry loop: one garbled answer (a proxy, a cut-off body) is retried like
  // any MALFORMED_RESPONSE; the same wrong shape UNREADABLE_POLLS times in a row is the contract
  // differing from ours, and the chunk goes per device (BULK_PATH_UNAVAILABLE) instead.
  let unreadable = 0;
  const readTransaction = (answer: unknown): { resultList?: unknown; status?: unknown } => {
    let problem: string | undefined;
    if (typeof answer !== 'object' || answer === null || Array.isArray(answer)) {
      problem = 'a body that is not a JSON object';
    } else if (
      (answer as { resultList?: unknown }).resultList !== undefined &&
      !Array.isArray((answer as { resultList?: unknown }).resultList)
    ) {
      problem = 'a resultList that is not a list';
    }
    if (problem === undefined) {
      unreadable = 0;
      return answer as { resultList?: unknown; status?: unknown };
    }
    unreadable += 1;
    const reason = `${context.paths.transaction} answered ${problem}.`;
    if (unreadable >= UNREADABLE_POLLS) throw new BulkPathUnavailableError(reason);
    throw malformedResponseError(200, reason);
  };
  let wait = context.transactionPollMs;
  for (;;) {
    let record: { resultList?: unknown; status?: unknown };
    try {
      record = (await http.call({
        method: 'POST',
        path: context.paths.transaction,
        body: { transactionId: handle },
        transactionId: handle,
        deadline: until,
        auth: true,
        gate: polls,
        parse: readTransaction,
      })) as { resultList?: unknown; status?: unknown };
    } catch (error) {
      if (error instanceof BulkPathUnavailableError) throw error;
      const missing = pathMissing(error, context.paths.transaction);
      if (missing instanceof BulkPathUnavailableError) throw missing;
      const failure = missing as KnoxGuardError;
      // A poll that failed for good fails the devices still without a result; a transient one
      // (timeout, 5xx) at the deadline leaves them not finished.
      if (!failure.retryable) return ids.map((id) => covered.get(id) ?? failed(id, failure));
      bulk.unfinished.add(handle);
      return ids.map((id) => covered.get(id) ?? notFinished(id, handle, failure.codeName));
    }
    const body = record;
    // A turn of the event loop between parsing this answer (in `http.call`) and decoding it, so
    // answers that arrived meanwhile give their request slots back first.
    await nextTurn();
    const decoded = decodeBulk(body, ids);
    if (decoded.results.length === ids.length && covered.size === 0) {
      // The common case, a complete answer in request order: no map needed.
      const aligned = matchAligned(ids, decoded.results);
      if (aligned && !running(record.status)) return aligned;
    }
    for (const result of decoded.results) covered.set(result.requestedId, result);
    let missing = 0;
    for (const id of ids) if (!covered.has(id)) missing += 1;
    if (missing === 0 && !running(record.status)) return ids.map((id) => covered.get(id) as DeviceResult);
    if (clock.now() + wait >= until) {
      context.logger?.warn('knox transaction not finished at the deadline', {
        operation,
        transactionId: handle,
        missing,
      });
      bulk.unfinished.add(handle);
      return ids.map((id) => covered.get(id) ?? notFinished(id, handle));
    }
    // Outside the gate: a transaction Knox is still working on holds no slot while we wait.
    await sleep(wait);
    wait = Math.min(context.transactionPollMaxMs, Math.ceil(wait * POLL_GROWTH));
  }
}

function running(status: unknown): boolean {
  return typeof status === 'string' && RUNNING_STATES.has(status.toUpperCase());
}

/** The error as thrown, or `BulkPathUnavailableError` when it says the path is not served. */
function pathMissing(error: unknown, path: string): unknown {
  if (error instanceof KnoxGuardError && PATH_MISSING.has(error.receivedStatus)) {
    return new BulkPathUnavailableError(
      `${path} answered HTTP ${error.receivedStatus} (${error.codeName}).`,
      {
        cause: error,
      },
    );
  }
  return error;
}

/** A retryable NOT_FINISHED result: Knox had reported nothing for the device when polling stopped. */
function notFinished(requestedId: string, transactionId: string, after?: string): DeviceResult {
  const reason = `Transaction ${transactionId} had no result for this device when polling stopped${after ? ` (last poll: ${after})` : ''}.`;
  return lazyFailure(requestedId, { ...serviceFailure('NOT_FINISHED', reason), requestedId });
}

/** `results` when they name `ids` position by position, else undefined. */
function matchAligned(ids: readonly string[], results: readonly DeviceResult[]): DeviceResult[] | undefined {
  for (let i = 0; i < ids.length; i += 1) if (results[i]?.requestedId !== ids[i]) return undefined;
  return results as DeviceResult[];
}

/** A failed result for `requestedId`: `error` itself when it names this device, else a copy that does (built on first read). */
function failed(requestedId: string, error: KnoxGuardError): DeviceResult {
  if (error.requestedId === requestedId) return { ok: false, requestedId, error };
  return lazyFailure(requestedId, { ...error.toJSON(), requestedId }, { cause: error.cause });
}
