import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { parseRunFailure, runFailureObservation } from '../lib/operations';
import { loggedRecordFailures } from './shared/loggedRecordFailures';
import { logErrors, logger, metrics } from './shared/observability';
import { alertPipeline, registerInvocation, serviceConfig } from './shared/runtime';

const processor = new BatchProcessor(EventType.SQS);

/**
 * One on-failure destination record: a scheduled run Lambda gave up on (retries exhausted or the
 * event too old). Becomes one SCHEDULED_RUN_FAILED alert per job through the alert pipeline
 * (grouped, deduplicated, masked). Throwing marks only this record failed (partial batch
 * response): SQS redelivers it, and after maxReceiveCount it goes to the DLQ, which is alarmed.
 */
async function alertRunFailure(record: SQSRecord): Promise<void> {
  const failure = parseRunFailure(record.body);
  const report = await alertPipeline().process(runFailureObservation(failure, serviceConfig().STAGE));
  metrics.addMetric('ScheduledRunsFailedForGood', MetricUnit.Count, 1);
  logger.error('scheduled run failed for good', {
    job: failure.job,
    scheduledTime: failure.scheduledTime,
    failedRequestId: failure.requestId,
    condition: failure.condition,
    attempts: failure.attempts,
    errorType: failure.errorType,
    errorMessage: failure.errorMessage,
    alerts: report,
  });
}

async function runFailures(event: SQSEvent, context: Context) {
  registerInvocation(context);
  return processPartialResponse(
    event,
    loggedRecordFailures('run failure record', alertRunFailure),
    processor,
    { context },
  );
}

export const handler = middy(runFailures)
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(logMetrics(metrics))
  .use(logErrors());
