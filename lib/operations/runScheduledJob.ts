import type { JobConfig } from '../config';
import { KnoxGuardError, type KnoxGuardFailure, serviceFailure } from '../errors';
import { chunkAsync } from './chunkAsync';
import { CHUNK_MESSAGE_VERSION, type ChunkMessage } from './chunkMessage';
import { type ChunkOutcome, executeChunk, failuresByCode, observationOf } from './executeChunk';
import { planFollowUp } from './followUp';
import type { ChunkQueue, FailureSink, OperationExecutor, RunObservation } from './ports';
import { resolveTargets, type TargetDeps, TargetsError } from './resolveTargets';
import { type ChunkReportResult, type RunReportLink, type RunReports, withReport } from './runReport';
import type { RunTracker } from './runTracker';
import { createTargetsReport, type SkippedTargets } from './targetsReport';

/** SQS's message size limit in bytes (256 KiB). Source: https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/quotas-messages.html */
const SQS_MESSAGE_BYTES = 262_144;
// Room for what a chunk message holds besides the base fields and its ids (chunk, attempt, total,
// a follow-up's transactionId of at most MAX_TRANSACTION_ID_LENGTH characters, JSON).
const CHUNK_ENVELOPE_BYTES = 1_024;

export interface ScheduledRunDeps {
  readonly stage: string;
  readonly runId: string;
  readonly defaults: { readonly chunkSize: number; readonly inlineLimit: number };
  readonly targets: TargetDeps;
  readonly queue: ChunkQueue;
  readonly executor: OperationExecutor;
  readonly sink: FailureSink;
  /**
   * Runs one inline chunk; by default `executeChunk` with `executor`. The handler passes an
   * idempotent one, so a retried scheduled run does not send a chunk to Knox Guard twice.
   */
  readonly executeChunk?: (message: ChunkMessage) => Promise<ChunkOutcome>;
  /**
   * Writes each inline chunk's failed devices to the run's report (lib/operations/runReport); a
   * queued run's workers write theirs. Without it no report is written.
   */
  readonly reports?: RunReports;
  /** Told about each inline chunk's report write (the handler logs failures and counts them). */
  readonly onReport?: (result: ChunkReportResult) => void;
  /** Learns when the workers finished every chunk of a queued run, to send its digest then. */
  readonly tracker?: RunTracker;
  /** Epoch ms by which the invocation must be done (the Lambda's remaining time minus a margin). */
  readonly deadline?: number;
  readonly onProgress?: (event: {
    readonly phase: 'inline' | 'queued';
    readonly devices: number;
    readonly chunks: number;
  }) => void;
}

export interface RunSummary {
  readonly job: string;
  readonly runId: string;
  readonly mode: 'inline' | 'queued' | 'disabled';
  readonly targets: number;
  readonly chunks: number;
  readonly succeeded: number;
  readonly failuresByCode: Readonly<Record<string, number>>;
  /** Devices handed to the queue for a later attempt (inline runs with retryable failures). */
  readonly requeued: number;
  /** Target rows or entries that could not be used (unreadable, invalid id); counts and a bounded sample. */
  readonly skipped?: SkippedTargets;
  /**
   * Where the run's failed-device lists are: set for an inline run with failed devices (with
   * `unwritten`, the chunks whose list could not be written) and for every queued run (its
   * workers write there).
   */
  readonly report?: RunReportLink & { readonly unwritten?: number };
}

/**
 * Runs one scheduled job's device operation: resolves the targets (streamed), runs small jobs
 * inline and hands every failure to the alert pipeline, or splits large jobs into chunk messages
 * for the operation workers. Retryable failures of inline runs are queued as a follow-up attempt.
 * An unreadable target source is alerted (TARGETS_UNREADABLE) and rethrown so the scheduler's
 * retry policy and DLQ take over.
 *
 * @example
 * const summary = await runScheduledJob(config.jobs.get('overdue-lock')!, deps);
 * console.log(summary.mode, summary.targets, summary.failuresByCode);
 */
export async function runScheduledJob(job: JobConfig, deps: ScheduledRunDeps): Promise<RunSummary> {
  const empty = {
    job: job.name,
    runId: deps.runId,
    targets: 0,
    chunks: 0,
    succeeded: 0,
    failuresByCode: {},
    requeued: 0,
  };
  if (!job.enabled) return { ...empty, mode: 'disabled' };
  if (job.operation === 'licence-health' || !job.targets) {
    throw new TypeError(`runScheduledJob runs device operations; ${job.name} is ${job.operation}`);
  }
  const chunkSize = job.chunkSize ?? deps.defaults.chunkSize;
  const inlineLimit = job.inlineLimit ?? deps.defaults.inlineLimit;
  const base = {
    v: CHUNK_MESSAGE_VERSION,
    stage: deps.stage,
    job: job.name,
    runId: deps.runId,
    operation: job.operation,
    // `options` holds the operation's other body fields, already checked against OPERATION_RULES.
    params: { ...job.options, message: job.message, tel: job.contact?.tel, email: job.contact?.email },
    attempt: 0,
  } as const;

  // A chunk must also fit one SQS message (256 KiB): 10,000 ids of 20 characters do, longer ids
  // (serials, approveIds from a billing file) close the chunk earlier.
  const idBudget = {
    maxBytes: SQS_MESSAGE_BYTES - CHUNK_ENVELOPE_BYTES - Buffer.byteLength(JSON.stringify(base)),
    bytesOf: (id: string) => Buffer.byteLength(JSON.stringify(id)) + 1,
  };
  const report = createTargetsReport();
  const source = resolveTargets(job.targets, { ...deps.targets, report })[Symbol.asyncIterator]();
  const head: string[] = [];
  try {
    while (head.length <= inlineLimit) {
      const next = await source.next();
      if (next.done) break;
      head.push(next.value);
    }
  } catch (error) {
    await reportTargetFailure(job, error, deps);
    throw error;
  }

  if (head.length <= inlineLimit) {
    let chunks = 0;
    let succeeded = 0;
    let requeued = 0;
    let processed = 0;
    const counts: Record<string, number> = {};
    // One observation for the whole inline run, so an alert counts all of its devices.
    const failures: RunObservation['failures'][number][] = [];
    let listed: RunObservation['report'];
    let unwritten = 0;
    const execute = deps.executeChunk ?? ((message: ChunkMessage) => executeChunk(message, deps));
    for await (const deviceUids of chunkAsync(head, chunkSize, idBudget)) {
      const message: ChunkMessage = { ...base, chunk: chunks, deviceUids };
      const outcome = await execute(message);
      const written = await deps.reports?.writeChunk(message, outcome);
      if (written) {
        deps.onReport?.(written);
        if (!written.written) unwritten += 1;
        // The observation names the run's location; `written` is false if any chunk's list failed.
        listed = {
          key: written.key,
          location: written.location,
          consoleUrl: written.consoleUrl,
          written: unwritten === 0,
        };
      }
      failures.push(...withReport(observationOf(message, outcome), message, written).failures);
      const next = planFollowUp(message, outcome);
      if (next.kind === 'retry') {
        await deps.queue.send([next.followUp.message], { delaySeconds: next.followUp.delaySeconds });
        requeued += next.followUp.message.deviceUids.length;
      }
      chunks += 1;
      processed += deviceUids.length;
      succeeded += outcome.succeeded;
      for (const [code, count] of Object.entries(failuresByCode(outcome)))
        counts[code] = (counts[code] ?? 0) + count;
      deps.onProgress?.({ phase: 'inline', devices: processed, chunks });
    }
    const skipped = report.result();
    if (skipped.count > 0) failures.push({ error: skippedTargets(skipped) });
    const run = { stage: deps.stage, job: job.name, runId: deps.runId };
    // One contribution for the whole inline run: a retried run re-reads its chunks' stored
    // outcomes and reports the same failures again, which the alert state then counts once.
    await deps.sink.process({
      ...run,
      operation: job.operation,
      contribution: 'inline',
      failures,
      successes: succeeded,
      ...(listed ? { report: listed } : {}),
    });
    await deps.sink.flush?.(run);
    return {
      ...empty,
      ...withSkipped(skipped),
      mode: 'inline',
      targets: head.length,
      chunks,
      succeeded,
      failuresByCode: counts,
      requeued,
      ...(listed
        ? {
            report: {
              location: listed.location,
              consoleUrl: listed.consoleUrl,
              ...(unwritten > 0 ? { unwritten } : {}),
            },
          }
        : {}),
    };
  }

  async function* all(): AsyncGenerator<string> {
    yield* head;
    for (let next = await source.next(); !next.done; next = await source.next()) yield next.value;
  }
  let chunks = 0;
  let targets = 0;
  let batch: ChunkMessage[] = [];
  try {
    for await (const deviceUids of chunkAsync(all(), chunkSize, idBudget)) {
      batch.push({ ...base, chunk: chunks, deviceUids });
      chunks += 1;
      targets += deviceUids.length;
      if (batch.length === 10) {
        await deps.queue.send(batch);
        batch = [];
        deps.onProgress?.({ phase: 'queued', devices: targets, chunks });
      }
    }
  } catch (error) {
    // A listing that fails half-way: the chunks already queued run; the retry re-queues them
    // under the same ids, which the workers' idempotency turns into no-ops.
    await reportTargetFailure(job, error, deps);
    throw error;
  }
  if (batch.length > 0) await deps.queue.send(batch);
  deps.onProgress?.({ phase: 'queued', devices: targets, chunks });
  const run = { stage: deps.stage, job: job.name, runId: deps.runId };
  const skipped = report.result();
  // Told before the tracker: the run's digest (sent by the last worker) then carries the rows too.
  if (skipped.count > 0) {
    await deps.sink.process({
      ...run,
      operation: job.operation,
      successes: 0,
      failures: [{ error: skippedTargets(skipped) }],
      inProgress: true,
    });
  }
  if ((await deps.tracker?.queued(run, chunks))?.complete) await deps.sink.flush?.(run);
  const where = deps.reports?.locate(run);
  return {
    ...empty,
    ...withSkipped(skipped),
    mode: 'queued',
    targets,
    chunks,
    ...(where ? { report: where } : {}),
  };
}

function withSkipped(skipped: SkippedTargets): { skipped?: SkippedTargets } {
  return skipped.count > 0 ? { skipped } : {};
}

/** One bounded failure for all skipped rows: the count per reason and the first line numbers. */
function skippedTargets(skipped: SkippedTargets): KnoxGuardFailure {
  const reasons = Object.entries(skipped.byReason)
    .map(([reason, count]) => `${count} ${reason}`)
    .join(', ');
  const more = skipped.count > skipped.sample.length ? `; first ${skipped.sample.length}` : '';
  return serviceFailure(
    'TARGETS_ROWS_SKIPPED',
    `${skipped.count} target row(s) skipped (${reasons})${more}: ${skipped.sample.join('; ')}`,
  );
}

/**
 * A job that cannot even list its targets processed no device at all, so it is reported to the
 * alert pipeline before the error propagates: a Knox Guard failure of the device listing as that
 * failure (USER_BLOCKED_STATE, ...), an unreadable billing file as TARGETS_UNREADABLE.
 */
async function reportTargetFailure(job: JobConfig, error: unknown, deps: ScheduledRunDeps) {
  let failure: KnoxGuardFailure;
  if (error instanceof KnoxGuardError) failure = error.toJSON();
  else if (error instanceof TargetsError) failure = unreadableTargets(error);
  else return;
  await deps.sink.process({
    stage: deps.stage,
    job: job.name,
    runId: deps.runId,
    operation: job.operation,
    contribution: 'targets',
    successes: 0,
    failures: [{ error: failure }],
  });
}

function unreadableTargets(error: TargetsError): KnoxGuardFailure {
  // The message names the key and the problem, never the bucket (resolveTargets#readProblem).
  return serviceFailure('TARGETS_UNREADABLE', error.message);
}
