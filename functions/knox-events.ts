import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { makeIdempotent } from '@aws-lambda-powertools/idempotency';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import {
  alertKnoxEvent,
  KNOX_CALLBACK_WINDOW,
  type KnoxNotificationEvent,
  knoxEventLogFields,
  readKnoxEventsMessage,
} from '../lib/webhooks';
import { loggedRecordFailures } from './shared/loggedRecordFailures';
import { logErrors, logger, metrics } from './shared/observability';
import {
  alertPipeline,
  idempotencyConfig,
  idempotencyStore,
  registerInvocation,
  serviceConfig,
} from './shared/runtime';

const processor = new BatchProcessor(EventType.SQS);

/** Kept free at the end of an invocation for the batch response and the metrics flush. */
const DEADLINE_MARGIN_MS = 10_000;

/** The invocation ran short of time before a message's last event: SQS redelivers the message. */
export class KnoxEventsDeadlineError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'KnoxEventsDeadlineError';
  }
}

// Each Knox event is processed once per dedupe key (Knox's id or a hash of the signed event) for
// as long as it can be inside the callback window: a redelivered message, a callback Knox
// redelivered after a 503 (queued again), or a replay with a new nonce (the nonce is not signed)
// finds the record and gets the stored outcome. The record is written when processing starts,
// so it outlives the window counted from the webhook's admission.
const knoxEventIdempotency = idempotencyConfig(
  'key',
  KNOX_CALLBACK_WINDOW.maxAgeSeconds + KNOX_CALLBACK_WINDOW.maxFutureSeconds,
  'bodyHash',
);

// Made once per execution environment, at module scope. The same persistence `use` as the webhook
// had when it processed events inline: records written before this function existed are still found.
const processEventOnce = makeIdempotent(
  async function processEvent(payload: { key: string; bodyHash: string; event: KnoxNotificationEvent }) {
    return alertKnoxEvent(payload.event, { pipeline: alertPipeline(), stage: serviceConfig().STAGE });
  },
  { persistenceStore: idempotencyStore('knox-events'), config: knoxEventIdempotency },
);

/**
 * One SQS record: some events of one admitted Knox callback. Each event is processed at most once
 * (above); throwing marks only this record failed (partial batch response), SQS redelivers it
 * and the events it already finished are no-ops; after the queue's maxReceiveCount it goes to the
 * Knox events DLQ. A record that is not a Knox events message fails alone the same way.
 */
async function processRecord(record: SQSRecord, context: Context): Promise<void> {
  const { message, events } = readKnoxEventsMessage(record.body);
  // The webhook's request id: one correlation id from the callback's API access log line to here.
  logger.appendKeys({ correlation_id: message.requestId });
  let failures = 0;
  for (const [position, event] of events.entries()) {
    // A slow state table must not let the timeout cut an event short (its record would stay "in
    // progress"): stop between events; the redelivery skips those already done.
    if (context.getRemainingTimeInMillis() < DEADLINE_MARGIN_MS)
      throw new KnoxEventsDeadlineError(
        `${position} of ${events.length} events processed before the deadline; the rest follow on redelivery`,
      );
    const result = await processEventOnce({
      key: `knox-event#${event.dedupeKey}`,
      bodyHash: event.dedupeKey,
      event,
    });
    failures += result.failures;
    metrics.addMetric('KnoxEvents', MetricUnit.Count, 1);
    logger.info('Knox event', knoxEventLogFields(event));
  }
  logger.info('Knox events message processed', {
    messageId: record.messageId,
    events: events.length,
    failures,
    queuedForMs: Date.now() - message.receivedAt,
  });
  logger.removeKeys(['correlation_id']);
}

async function knoxEvents(event: SQSEvent, context: Context) {
  registerInvocation(context);
  knoxEventIdempotency.registerLambdaContext(context);
  return processPartialResponse(
    event,
    loggedRecordFailures(
      'Knox events message',
      (record: SQSRecord) => processRecord(record, context),
      () => logger.removeKeys(['correlation_id']),
    ),
    processor,
    // One record after the other: a callback Knox redelivered after a 503 puts some events into
    // two messages; side by side in one batch, the second would find the first's record "in
    // progress" and wait for a redelivery after the visibility timeout.
    { context, processInParallel: false },
  );
}

export const handler = middy(knoxEvents)
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(logMetrics(metrics, { captureColdStartMetric: true }))
  .use(logErrors());
