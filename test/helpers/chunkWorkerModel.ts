// An in-memory world for the chunk state machine's model-based test
// (test/unit/operations/chunkStateMachine.model.test.ts): a Knox Guard whose per-device ledger
// counts what was applied (as local/simulator's ExecutionLedger does), an SQS queue with
// visibility timeout, receive counts, a DLQ and redrive, Powertools idempotency over an in-memory
// persistence layer, an in-memory run tracker, and a worker that runs one delivery the way
// functions/operation-worker.ts `processChunk` and functions/shared/runtime.ts `executeChunkOnce`
// do, with the same lib calls in the same order. Faults are injected per delivery: Knox's answer,
// a crash at a named point (after it nothing the invocation does reaches the outside world), a
// failed idempotency-store write.
import {
  IdempotencyAlreadyInProgressError,
  IdempotencyConfig,
  IdempotencyPersistenceLayerError,
  makeIdempotent,
} from '@aws-lambda-powertools/idempotency';
import { type DeviceResult, knoxCode, serviceFailure, transportError } from '../../lib/errors';
import { classifyEnvelope } from '../../lib/errors/decode';
import { lazyFailure } from '../../lib/errors/decodeBulk';
import type { ChunkMessage } from '../../lib/operations/chunkMessage';
import {
  type ChunkOutcome,
  executeChunk,
  executionKey,
  failedDevices,
  failuresByCode,
  observationOf,
  upgradeChunkOutcome,
} from '../../lib/operations/executeChunk';
import {
  DEFAULT_MAX_CHUNK_ATTEMPTS,
  exhaustedObservation,
  planFollowUp,
} from '../../lib/operations/followUp';
import type { OperationExecutor, RunObservation } from '../../lib/operations/ports';
import type { ChunkTally, RunRef, RunTotals, RunTracker } from '../../lib/operations/runTracker';
import { MemoryIdempotencyStore } from './memoryIdempotencyStore';

/** How Knox answers one execute call. */
export const KnoxAnswer = {
  /** Applied and answered. */
  ok: 'ok',
  /** 429 for every device: nothing applied. */
  throttled: 'throttled',
  /** 503 for every device: nothing applied. */
  unavailable: 'unavailable',
  /** Applied, but the answer never arrived: a timeout for every device. */
  lostAnswer: 'lostAnswer',
  /** Submitted in one transaction that had reported nothing at the deadline. */
  notFinished: 'notFinished',
  /** The first half in a transaction that reported nothing, the rest refused with 503. */
  mixed: 'mixed',
  /** Split into two transactions (Knox refused the size), neither had reported at the deadline. */
  split: 'split',
  /** The deadline came half-way: the first half applied and answered, the rest never sent. */
  deadline: 'deadline',
} as const;
export type KnoxAnswer = (typeof KnoxAnswer)[keyof typeof KnoxAnswer];

/** Where an invocation may die (Lambda timeout, out of memory, a lost container). */
export const CrashPoint = {
  /** Knox ran the chunk; the idempotency record is still INPROGRESS. */
  afterKnox: 'afterKnox',
  /** The record is COMPLETED; nothing reported yet. */
  afterCompleted: 'afterCompleted',
  /** Reported and counted; the follow-up not queued. */
  beforeFollowUp: 'beforeFollowUp',
  /** The follow-up queued; the message not yet deleted from the queue. */
  afterFollowUp: 'afterFollowUp',
} as const;
export type CrashPoint = (typeof CrashPoint)[keyof typeof CrashPoint];

/** A failed write in one invocation: the idempotency store, the run tracker, the queue. */
export const StoreFault = {
  /** The INPROGRESS put fails: nothing runs, the message is redelivered. */
  inProgress: 'inProgress',
  /** The COMPLETED update fails once (the worker's retry writes it). */
  completedOnce: 'completedOnce',
  /** Every COMPLETED update of the invocation fails: the record stays INPROGRESS. */
  completedAlways: 'completedAlways',
  /** The run tracker's update fails (DynamoDB throttled or down). */
  tracker: 'tracker',
  /** Sending the follow-up message fails (SQS down). */
  queueSend: 'queueSend',
} as const;
export type StoreFault = (typeof StoreFault)[keyof typeof StoreFault];

export interface DeliveryFaults {
  readonly knox: KnoxAnswer;
  readonly crash?: CrashPoint;
  readonly store?: StoreFault;
}

/** The invocation died: what it does afterwards has no effect. */
export class CrashError extends Error {
  constructor(point: string) {
    super(`crashed: ${point}`);
    this.name = 'CrashError';
  }
}

/** One device as Knox's ledger sees it. */
export interface LedgerEntry {
  /** Times the operation reached Knox for this device. */
  submits: number;
  /** Times Knox changed the device (showed the message, locked it). */
  applied: number;
  /** Submits that came after the device had been applied (refused or applied again). */
  afterApplied: number;
  /** The service may have lost what Knox did with it (a documented known limit was exercised). */
  mayRepeat: boolean;
}

export const VISIBILITY_TIMEOUT_MS = 720_000;
export const IN_PROGRESS_MS = 120_000;
export const MAX_RECEIVE_COUNT = 5;

interface QueuedMessage {
  readonly id: number;
  readonly body: ChunkMessage;
  receiveCount: number;
  visibleAt: number;
}

// runtime.ts's chunk idempotency settings; one config for every world (building its JMESPath
// functions is the costly part), its Lambda context registered per delivery as the worker does.
const CONFIG = new IdempotencyConfig({
  eventKeyJmesPath: 'key',
  expiresAfterSeconds: 7 * 24 * 3600,
  throwOnNoIdempotencyKey: true,
});

const LOCKED_REASON = "Current status is 'Locked'.";

/**
 * Knox Guard as the chunk executor sees it, with a per-device ledger. `lock` refuses a device
 * already locked (DEVICE_STATE_INVALID naming Locked); `sendMessage` shows the message again each
 * time it is submitted. Devices in `unlicensed` are refused with LICENSE_IS_LACK, never applied.
 * NOT_FINISHED devices are applied when submitted and reported when their transaction is polled.
 */
export class ModelKnox {
  readonly ledger = new Map<string, LedgerEntry>();
  readonly transactions = new Map<string, Map<string, DeviceResult>>();
  #transactions = 0;

  constructor(
    readonly operation: 'lock' | 'sendMessage',
    readonly unlicensed: ReadonlySet<string>,
  ) {}

  entry(deviceUid: string): LedgerEntry {
    let entry = this.ledger.get(deviceUid);
    if (!entry) {
      entry = { submits: 0, applied: 0, afterApplied: 0, mayRepeat: false };
      this.ledger.set(deviceUid, entry);
    }
    return entry;
  }

  /** An executor whose next call answers `answer`; `onCall` runs as the answer is decided. */
  executor(answer: () => KnoxAnswer): OperationExecutor {
    return {
      execute: async (_operation, deviceUids, _params, options) => {
        const how = answer();
        if (options?.resume) return this.#poll(options.resume.transactionId, deviceUids, how);
        const half = Math.ceil(deviceUids.length / 2);
        switch (how) {
          case KnoxAnswer.ok:
            return { results: deviceUids.map((id) => this.#submit(id)) };
          case KnoxAnswer.throttled:
          case KnoxAnswer.unavailable: {
            const status = how === KnoxAnswer.throttled ? 429 : 503;
            return { results: deviceUids.map((id) => refused(id, status)) };
          }
          case KnoxAnswer.lostAnswer:
            return {
              results: deviceUids.map((id) => {
                this.#submit(id);
                this.entry(id).mayRepeat = true;
                return timedOut(id);
              }),
            };
          case KnoxAnswer.notFinished: {
            const tx = this.#transaction(deviceUids, false);
            return { results: deviceUids.map((id) => notFinished(id, tx)), unfinishedTransactions: [tx] };
          }
          case KnoxAnswer.mixed: {
            const tx = this.#transaction(deviceUids.slice(0, half), true);
            return {
              results: deviceUids.map((id, index) => (index < half ? notFinished(id, tx) : refused(id, 503))),
              unfinishedTransactions: [tx],
            };
          }
          case KnoxAnswer.split: {
            if (deviceUids.length < 2) {
              const tx = this.#transaction(deviceUids, false);
              return { results: deviceUids.map((id) => notFinished(id, tx)), unfinishedTransactions: [tx] };
            }
            const first = this.#transaction(deviceUids.slice(0, half), true);
            const second = this.#transaction(deviceUids.slice(half), true);
            return {
              results: deviceUids.map((id, index) => notFinished(id, index < half ? first : second)),
              unfinishedTransactions: [first, second],
            };
          }
          case KnoxAnswer.deadline:
            return {
              results: deviceUids.map((id, index) => (index < half ? this.#submit(id) : timedOut(id))),
            };
        }
      },
    };
  }

  #submit(deviceUid: string): DeviceResult {
    const entry = this.entry(deviceUid);
    entry.submits += 1;
    if (this.unlicensed.has(deviceUid)) return knoxRefused(deviceUid, 'LICENSE_IS_LACK');
    if (entry.applied > 0) entry.afterApplied += 1;
    if (this.operation === 'lock' && entry.applied > 0) {
      return knoxRefused(deviceUid, 'DEVICE_STATE_INVALID', LOCKED_REASON);
    }
    entry.applied += 1;
    return { ok: true, requestedId: deviceUid };
  }

  /** Submits `deviceUids` in a new transaction; `mayRepeat`: the service will not poll it. */
  #transaction(deviceUids: readonly string[], mayRepeat: boolean): string {
    this.#transactions += 1;
    const tx = `tx-${this.#transactions}`;
    const results = new Map<string, DeviceResult>();
    for (const id of deviceUids) {
      results.set(id, this.#submit(id));
      if (mayRepeat) this.entry(id).mayRepeat = true;
    }
    this.transactions.set(tx, results);
    return tx;
  }

  #poll(tx: string, deviceUids: readonly string[], how: KnoxAnswer) {
    const results = this.transactions.get(tx);
    // Only an `ok` answer reports the transaction; anything else leaves it NOT_FINISHED again
    // (the client's resumed poll never submits, never falls back).
    if (how !== KnoxAnswer.ok || !results) {
      return { results: deviceUids.map((id) => notFinished(id, tx)), unfinishedTransactions: [tx] };
    }
    return {
      results: deviceUids.map(
        (id) =>
          results.get(id) ??
          knoxRefused(id, 'RESOURCE_INVALID_PARAM', `Device ${id} is not in transaction ${tx}.`),
      ),
    };
  }
}

// Failures are built as the client builds them (lazyFailure: the error object on first read).
function knoxRefused(
  requestedId: string,
  name: 'LICENSE_IS_LACK' | 'DEVICE_STATE_INVALID' | 'RESOURCE_INVALID_PARAM',
  reason = `simulated ${name}`,
): DeviceResult {
  const entry = knoxCode(name);
  return lazyFailure(
    requestedId,
    classifyEnvelope({ code: entry.code, message: name, reason }, entry.httpStatus, { requestedId }),
  );
}

function refused(requestedId: string, status: number): DeviceResult {
  return lazyFailure(requestedId, classifyEnvelope({}, status, { requestedId }));
}

const TIMEOUT = transportError('timeout', new Error('no answer')).toJSON();

function timedOut(requestedId: string): DeviceResult {
  return lazyFailure(requestedId, { ...TIMEOUT, requestedId });
}

function notFinished(requestedId: string, tx: string): DeviceResult {
  const reason = `Transaction ${tx} had no result for this device when polling stopped.`;
  return lazyFailure(requestedId, { ...serviceFailure('NOT_FINISHED', reason), requestedId });
}

/** A `RunTracker` with the DynamoDB tracker's semantics: a chunk's tally is added once. */
export function createMemoryRunTracker(beforeWrite: () => void = () => {}): RunTracker & {
  /** Tallies added (one per chunk, however often it was redelivered). */
  readonly tallies: number;
  /** The chunks of `run` whose first attempt was counted. */
  counted(run: RunRef): readonly number[];
} {
  const runs = new Map<
    string,
    { total?: number; done: Set<number>; succeeded: number; failures: Map<string, number> }
  >();
  let tallies = 0;
  const state = (run: RunRef) => {
    const key = `${run.stage}#${run.job}#${run.runId}`;
    let item = runs.get(key);
    if (!item) {
      item = { done: new Set(), succeeded: 0, failures: new Map() };
      runs.set(key, item);
    }
    return item;
  };
  const totalsOf = (item: ReturnType<typeof state>): RunTotals => {
    const failuresByCode = Object.fromEntries(item.failures);
    return {
      chunks: item.total,
      done: item.done.size,
      complete: item.total !== undefined && item.done.size >= item.total,
      succeeded: item.succeeded,
      failed: [...item.failures.values()].reduce((sum, count) => sum + count, 0),
      failuresByCode,
    };
  };
  return {
    get tallies() {
      return tallies;
    },
    counted(run) {
      return [...(runs.get(`${run.stage}#${run.job}#${run.runId}`)?.done ?? [])];
    },
    async queued(run, total) {
      beforeWrite();
      const item = state(run);
      item.total = total;
      return { complete: totalsOf(item).complete };
    },
    async chunkDone(run, chunk, tally?: ChunkTally) {
      beforeWrite();
      const item = state(run);
      if (tally && !item.done.has(chunk)) {
        tallies += 1;
        item.succeeded += tally.succeeded;
        for (const [code, count] of Object.entries(tally.failuresByCode)) {
          item.failures.set(code, (item.failures.get(code) ?? 0) + count);
        }
      }
      item.done.add(chunk);
      return { complete: totalsOf(item).complete };
    },
    async totals(run) {
      const item = runs.get(`${run.stage}#${run.job}#${run.runId}`);
      return item ? totalsOf(item) : undefined;
    },
  };
}

/** What a worker reported for one chunk attempt (the latest report of each idempotency key). */
export interface ReportedAttempt {
  readonly message: ChunkMessage;
  readonly outcome: ChunkOutcome;
}

/** The whole world of one schedule. */
export class ChunkWorld {
  now = 1_000_000;
  readonly knox: ModelKnox;
  readonly store: MemoryIdempotencyStore;
  readonly tracker: ReturnType<typeof createMemoryRunTracker>;
  readonly queue: QueuedMessage[] = [];
  readonly dlq: QueuedMessage[] = [];
  /** Per idempotency key, the latest outcome a worker reported (alert pipeline call done). */
  readonly reported = new Map<string, ReportedAttempt>();
  /** What the worker handed to the alert pipeline, in order (redeliveries included). */
  readonly observations: RunObservation[] = [];
  /** KNOX_UNAVAILABLE observations: the chunk attempt and the devices they name. */
  readonly exhaustedAlerts: { readonly contribution: string; readonly devices: readonly string[] }[] = [];
  readonly run: RunRef = { stage: 'test', job: 'model', runId: 'run-1' };
  readonly devices: readonly string[];
  readonly chunks: readonly (readonly string[])[];
  /** How often each interesting step happened (the test checks its schedules reach them all). */
  readonly events = new Map<string, number>();
  #ids = 0;
  #offset = Date.now() - 1_000_000;
  #invocation: { dead: boolean; faults: DeliveryFaults; completedFailures: number } | undefined;
  readonly #executed = new WeakMap<object, ChunkOutcome>();
  readonly #idempotent: (payload: { key: string; message: ChunkMessage }) => Promise<ChunkOutcome>;
  #knoxAnswers: KnoxAnswer[] = [];
  #current: ChunkMessage | undefined;

  constructor(options: {
    readonly operation: 'lock' | 'sendMessage';
    readonly devices: number;
    readonly chunkSize: number;
    readonly unlicensed: readonly number[];
  }) {
    this.devices = Array.from({ length: options.devices }, (_, index) => `dev-${index}`);
    const chunks: string[][] = [];
    for (let start = 0; start < this.devices.length; start += options.chunkSize) {
      chunks.push(this.devices.slice(start, start + options.chunkSize));
    }
    this.chunks = chunks;
    this.knox = new ModelKnox(
      options.operation,
      new Set(options.unlicensed.map((index) => `dev-${index % options.devices}`)),
    );
    // Powertools compares in-progress expiry with Date.now(); the store's condition uses the model
    // clock on the same scale (real time plus the time the schedule has skipped).
    this.store = new MemoryIdempotencyStore({
      now: () => this.now + this.#offset,
      beforeWrite: (write) => this.#beforeStoreWrite(write),
    });
    this.tracker = createMemoryRunTracker(() => {
      this.#alive();
      if (this.#invocation?.faults.store === StoreFault.tracker) {
        this.#count('store:tracker');
        throw new Error('store down (run tracker)');
      }
    });
    this.#idempotent = makeIdempotent(
      async (payload: { key: string; message: ChunkMessage }) => {
        const outcome = await executeChunk(payload.message, {
          executor: this.knox.executor(() => this.#knoxAnswers.shift() ?? KnoxAnswer.ok),
          deadline: this.now + 60_000,
        });
        this.#executed.set(payload, outcome);
        this.#crashPoint(CrashPoint.afterKnox);
        return outcome;
      },
      { persistenceStore: this.store, config: CONFIG, dataIndexArgument: 0 },
    ) as never;
    for (const [chunk, deviceUids] of chunks.entries()) {
      this.#enqueue(
        {
          v: 1,
          stage: this.run.stage,
          job: this.run.job,
          runId: this.run.runId,
          operation: options.operation,
          params: options.operation === 'sendMessage' ? { message: 'Payment overdue' } : {},
          chunk,
          attempt: 0,
          deviceUids: [...deviceUids],
          total: chunks.length,
        },
        0,
      );
    }
  }

  /** SQS at-least-once: the message is in the queue twice (a second send, a visibility race). */
  duplicate(index: number): void {
    const original = this.queue[index % this.queue.length];
    if (original) this.#enqueue(original.body, 0);
  }

  /** Moves the DLQ's messages back to the queue (start-message-move-task). */
  redrive(): void {
    for (const message of this.dlq.splice(0)) {
      this.#count('redriven');
      message.receiveCount = 0;
      message.visibleAt = this.now;
      this.queue.push(message);
    }
  }

  /**
   * Receives the next visible message (waiting for one when none is), with SQS's redrive policy:
   * a message received more than `MAX_RECEIVE_COUNT` times goes to the DLQ instead.
   * `undefined` when the queue is empty.
   */
  async deliverNext(
    faults: DeliveryFaults,
  ): Promise<'done' | 'failed' | 'crashed' | 'dead-lettered' | undefined> {
    if (this.queue.length === 0) return undefined;
    const earliest = Math.min(...this.queue.map((message) => message.visibleAt));
    if (earliest > this.now) this.now = earliest;
    const index = this.queue.findIndex((message) => message.visibleAt <= this.now);
    const message = this.queue[index] as QueuedMessage;
    message.receiveCount += 1;
    if (message.receiveCount > MAX_RECEIVE_COUNT) {
      this.#count('dead-lettered');
      this.queue.splice(index, 1);
      this.dlq.push(message);
      return 'dead-lettered';
    }
    message.visibleAt = this.now + VISIBILITY_TIMEOUT_MS;
    this.#invocation = { dead: false, faults, completedFailures: 0 };
    this.#knoxAnswers = [faults.knox];
    this.#current = message.body;
    const started = this.now;
    CONFIG.registerLambdaContext({
      getRemainingTimeInMillis: () => started + IN_PROGRESS_MS - this.now,
    } as never);
    try {
      await this.#processChunk(message.body, message.receiveCount);
      if (this.#invocation.dead) throw new CrashError('after the handler');
      this.queue.splice(this.queue.indexOf(message), 1);
      return 'done';
    } catch (error) {
      if (this.#invocation.dead) {
        this.#count(`crash:${faults.crash}`);
        return 'crashed';
      }
      this.#count(error instanceof IdempotencyAlreadyInProgressError ? 'in-progress' : 'failed');
      if (error instanceof CrashError) throw error;
      return 'failed';
    } finally {
      this.#invocation = undefined;
      this.now += 1_000;
    }
  }

  // functions/operation-worker.ts processChunk, step for step (run reports and metrics left out:
  // they hold no state the invariants read).
  async #processChunk(message: ChunkMessage, receiveCount: number): Promise<void> {
    const origin = { executedNow: false };
    if (message.transactionId !== undefined) this.#count('poll');
    if (message.attempt >= DEFAULT_MAX_CHUNK_ATTEMPTS) this.#count('extra-attempt');
    const outcome = await this.#executeChunkOnce(message, origin);
    this.#count(origin.executedNow ? 'executed' : 'replayed');
    if ((outcome.alreadyInTargetState ?? 0) > 0) this.#count('already-in-target-state');
    this.#crashPoint(CrashPoint.afterCompleted);
    const inProgress = message.total !== 1;
    const observation = observationOf(message, outcome, inProgress);
    this.#alive();
    this.observations.push(observation);
    const key = executionKey(message);
    // A key run twice (its COMPLETED write was lost) keeps its latest outcome, as the store does.
    this.reported.set(key, { message, outcome });
    if (message.attempt === 0) {
      const tally = { succeeded: outcome.succeeded, failuresByCode: failuresByCode(outcome) };
      await this.tracker.chunkDone(this.run, message.chunk, tally);
    }
    const replayed = !origin.executedNow && receiveCount === 1;
    const next = planFollowUp(message, outcome, DEFAULT_MAX_CHUNK_ATTEMPTS, { replayed });
    this.#crashPoint(CrashPoint.beforeFollowUp);
    if (next.kind === 'retry') {
      this.#alive();
      if (this.#invocation?.faults.store === StoreFault.queueSend) {
        this.#count('store:queueSend');
        throw new Error('queue down');
      }
      this.#enqueue(next.followUp.message, next.followUp.delaySeconds);
    } else if (next.kind === 'exhausted') {
      const observation = exhaustedObservation(message, outcome, next.devices);
      this.#alive();
      this.observations.push(observation);
      this.#count('exhausted');
      this.exhaustedAlerts.push({
        contribution: `${message.chunk}.${message.attempt}`,
        devices: next.devices,
      });
      throw new Error('exhausted');
    }
    this.#crashPoint(CrashPoint.afterFollowUp);
  }

  // functions/shared/runtime.ts executeChunkOnce, step for step (retryUntil without its waits).
  async #executeChunkOnce(message: ChunkMessage, origin: { executedNow: boolean }): Promise<ChunkOutcome> {
    const payload = { key: executionKey(message), message };
    try {
      const outcome = upgradeChunkOutcome(await this.#idempotent(payload), message);
      origin.executedNow = this.#executed.has(payload);
      return outcome;
    } catch (error) {
      const outcome = this.#executed.get(payload);
      if (!(error instanceof IdempotencyPersistenceLayerError) || outcome === undefined) throw error;
      origin.executedNow = true;
      for (let attempt = 1; attempt <= 5; attempt += 1) {
        try {
          await this.store.saveSuccess(payload, outcome as never);
          break;
        } catch {
          // the store is down; the outcome is answered either way
        }
      }
      return outcome;
    }
  }

  #enqueue(body: ChunkMessage, delaySeconds: number): void {
    this.#ids += 1;
    this.queue.push({ id: this.#ids, body, receiveCount: 0, visibleAt: this.now + delaySeconds * 1000 });
  }

  #count(event: string): void {
    this.events.set(event, (this.events.get(event) ?? 0) + 1);
  }

  #alive(): void {
    if (this.#invocation?.dead) throw new CrashError('dead invocation');
  }

  #crashPoint(point: CrashPoint): void {
    this.#alive();
    if (this.#invocation?.faults.crash !== point) return;
    this.#invocation.dead = true;
    // A crash between Knox's answer and the COMPLETED write loses what Knox did: a later
    // re-run submits the chunk's devices again (docs/reliability.md, "Chunk outcome kept").
    if (point === CrashPoint.afterKnox) this.#markCurrentChunk();
    throw new CrashError(point);
  }

  #beforeStoreWrite(write: 'put' | 'update' | 'delete'): void {
    this.#alive();
    const fault = this.#invocation?.faults.store;
    if (write === 'put' && fault === StoreFault.inProgress) {
      this.#count('store:inProgress');
      throw new Error('store down (put)');
    }
    if (write === 'update' && (fault === StoreFault.completedAlways || fault === StoreFault.completedOnce)) {
      const invocation = this.#invocation as { completedFailures: number };
      invocation.completedFailures += 1;
      if (fault === StoreFault.completedOnce && invocation.completedFailures > 1) return;
      this.#count(`store:${fault}`);
      // Every COMPLETED write failing leaves the record INPROGRESS: a duplicate delivery after its
      // expiry runs the chunk again.
      if (fault === StoreFault.completedAlways) this.#markCurrentChunk();
      throw new Error('store down (update)');
    }
  }

  #markCurrentChunk(): void {
    for (const id of this.#current?.deviceUids ?? []) this.knox.entry(id).mayRepeat = true;
  }

  /** Every device's terminal outcome as the service recorded it. */
  outcomes(): Map<string, string[]> {
    const outcomes = new Map<string, string[]>(this.devices.map((id) => [id, []]));
    for (const { message, outcome } of this.reported.values()) {
      const failed = new Map(
        failedDevices(message, outcome).map(({ deviceUid, error }) => [deviceUid, error]),
      );
      for (const id of message.deviceUids) {
        const error = failed.get(id);
        if (error === undefined) outcomes.get(id)?.push(`succeeded@${message.attempt}`);
        else if (!error.retryable) outcomes.get(id)?.push(`${error.codeName}@${message.attempt}`);
      }
    }
    for (const { body } of this.dlq) {
      const reported = this.reported.get(executionKey(body));
      const devices = reported
        ? failedDevices(body, reported.outcome)
            .filter(({ error }) => error.retryable)
            .map(({ deviceUid }) => deviceUid)
        : body.deviceUids;
      for (const id of devices) outcomes.get(id)?.push(`dead-lettered@${body.attempt}`);
    }
    return outcomes;
  }
}
