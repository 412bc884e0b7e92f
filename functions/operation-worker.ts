import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import {
  DEFAULT_MAX_CHUNK_ATTEMPTS,
  exhaustedObservation,
  failuresByCode,
  observationOf,
  parseChunkMessage,
  planFollowUp,
  withReport,
} from '../lib/operations';
import { loggedRecordFailures } from './shared/loggedRecordFailures';
import { logErrors, logger, metrics } from './shared/observability';
import { recordReport, runReports } from './shared/runReports';
import {
  alertPipeline,
  chunkQueue,
  deadlineOf,
  executeChunkOnce,
  registerInvocation,
  runTracker,
} from './shared/runtime';
import { logKnoxMetrics, recordDeviceOutcome } from './shared/serviceMetrics';

/** A chunk whose retryable devices are still failing after every follow-up attempt. */
export class ChunkExhaustedError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ChunkExhaustedError';
  }
}

const processor = new BatchProcessor(EventType.SQS);

/**
 * One SQS record: run the chunk (once), hand its failures to the alert pipeline, queue the
 * retryable rest as the next attempt. Throwing marks only this record failed (partial batch
 * response): SQS redelivers it, and after the queue's maxReceiveCount it goes to the DLQ.
 */
async function processChunk(record: SQSRecord, context: Context): Promise<void> {
  const message = parseChunkMessage(record.body);
  const log = { job: message.job, runId: message.runId, chunk: message.chunk, attempt: message.attempt };
  const origin = { executedNow: false };
  const outcome = await executeChunkOnce(message, deadlineOf(context), 'worker', origin);
  // A fanned-out run has other chunks in flight, so counts seen here are lower bounds.
  const inProgress = message.total !== 1;
  // The failed devices' list first, so the alert can name it; a failed write does not stop the
  // alert (it says the list is missing) and does not fail the chunk. A redelivery rewrites the key.
  const listed = await runReports()?.writeChunk(message, outcome);
  if (listed) recordReport(listed, log);
  const report = await alertPipeline().process(
    withReport(observationOf(message, outcome, inProgress), message, listed),
  );
  // The first attempt of every chunk counts towards the run; the call that completes it sends
  // the run's digest. Follow-up attempts only retry devices and are not counted again.
  if (message.attempt === 0) {
    const run = { stage: message.stage, job: message.job, runId: message.runId };
    const tally = { succeeded: outcome.succeeded, failuresByCode: failuresByCode(outcome) };
    // The call that completes the run flushes: the digest, and the final count of any alert sent
    // while the run was in progress ("997+ devices so far").
    if ((await runTracker().chunkDone(run, message.chunk, tally)).complete) await alertPipeline().flush(run);
  }
  // Also keeps the handler's buffer non-empty: Powertools warns when it flushes an empty one.
  metrics.addMetric('ChunksProcessed', MetricUnit.Count, 1);
  const failures = failuresByCode(outcome);
  recordDeviceOutcome(message.job, {
    succeeded: outcome.succeeded,
    failed: outcome.failed,
    failuresByCode: failures,
  });
  // A first delivery that only replays a stored outcome is a DLQ redrive (or a second send):
  // its devices Knox refused get one more attempt instead of going straight back to the DLQ.
  const replayed = !origin.executedNow && Number(record.attributes.ApproximateReceiveCount) === 1;
  const next = planFollowUp(message, outcome, DEFAULT_MAX_CHUNK_ATTEMPTS, { replayed });
  logger.info('chunk processed', {
    ...log,
    requested: outcome.requested,
    succeeded: outcome.succeeded,
    failures,
    alerts: report,
    ...(listed ? { report: listed.key } : {}),
    next: next.kind,
  });
  if (next.kind === 'retry') {
    await chunkQueue().send([next.followUp.message], { delaySeconds: next.followUp.delaySeconds });
  } else if (next.kind === 'exhausted') {
    // Before the message heads for the DLQ: the admins learn that devices wait for a redrive.
    await alertPipeline().process(exhaustedObservation(message, outcome, next.devices));
    throw new ChunkExhaustedError(
      `chunk ${message.chunk} of ${message.runId}: ${next.devices.length} device(s) still failing after ${message.attempt + 1} attempts`,
    );
  }
}

async function operationWorker(event: SQSEvent, context: Context) {
  registerInvocation(context);
  return processPartialResponse(
    event,
    loggedRecordFailures('chunk', (record: SQSRecord) => processChunk(record, context)),
    processor,
    { context },
  );
}

export const handler = middy(operationWorker)
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(logMetrics(metrics, { captureColdStartMetric: true }))
  .use(logKnoxMetrics())
  .use(logErrors());
