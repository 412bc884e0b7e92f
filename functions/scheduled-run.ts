import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { checkLicenceHealth, runScheduledJob } from '../lib/operations';
import { objectSource } from './shared/objectSource';
import { logErrors, logger, metrics } from './shared/observability';
import { recordReport, runReports } from './shared/runReports';
import {
  alertPipeline,
  chunkQueue,
  deadlineOf,
  executeChunkOnce,
  jobsConfig,
  knoxClient,
  registerInvocation,
  runTracker,
  serviceConfig,
} from './shared/runtime';
import { parseScheduledInput, ScheduledInputError } from './shared/scheduledEvent';
import { logKnoxMetrics, recordDeviceOutcome } from './shared/serviceMetrics';

/**
 * EventBridge Scheduler target: runs the job named in the schedule's input. Small jobs run here,
 * large ones are split into chunk messages for the operation workers. Errors propagate: the
 * Scheduler invokes asynchronously, so Lambda retries the run (serverless.yml
 * maximumRetryAttempts) and then sends its invocation record to the on-failure queue, where
 * runFailures alerts the admins. The run id is derived from the scheduled time, so a retried run
 * re-uses its chunk ids and workers execute each chunk once.
 */
async function scheduledRun(event: unknown, context: Context) {
  metrics.addMetric('ScheduledRuns', MetricUnit.Count, 1);
  const input = parseScheduledInput(event);
  const job = jobsConfig().jobs.get(input.job);
  if (!job)
    throw new ScheduledInputError(
      `unknown job ${input.job}; jobs.yml has ${[...jobsConfig().jobs.keys()].join(', ')}`,
    );
  const stage = serviceConfig().STAGE;
  const runId = `${job.name}@${input.scheduledTime ?? context.awsRequestId}`;
  logger.appendKeys({ job: job.name, runId });
  metrics.addDimension('job', job.name);

  if (job.operation === 'licence-health') {
    const knox = await knoxClient('scheduler');
    const health = await checkLicenceHealth(knox, alertPipeline(), {
      stage,
      job: job.name,
      runId,
      minFreeSeats: job.minFreeSeats ?? 0,
      now: Date.now(),
    });
    if ('unavailable' in health) logger.warn('licence health unavailable', { reason: health.unavailable });
    else logger.info('licence health checked', { health });
    if ('freeSeats' in health) metrics.addMetric('LicenceSeatsFree', MetricUnit.Count, health.freeSeats);
    return health;
  }

  const knox = await knoxClient('scheduler');
  registerInvocation(context);
  const deadline = deadlineOf(context);
  const summary = await runScheduledJob(job, {
    stage,
    runId,
    defaults: jobsConfig().defaults,
    targets: {
      objects: objectSource(),
      devices: knox,
      deadline,
      onInvalid: (place, detail) => logger.warn('skipped target row', { place, detail }),
    },
    queue: chunkQueue(),
    executor: knox,
    sink: alertPipeline(),
    tracker: runTracker(),
    executeChunk: (message) => executeChunkOnce(message, deadline, 'scheduler'),
    reports: runReports(),
    onReport: (result) => recordReport(result, { job: job.name, runId }),
    deadline,
    onProgress: (progress) => logger.debug('progress', { progress }),
  });
  metrics.addMetric('TargetsResolved', MetricUnit.Count, summary.targets);
  metrics.addMetric('ChunksCreated', MetricUnit.Count, summary.chunks);
  recordDeviceOutcome(job.name, {
    succeeded: summary.succeeded,
    failed: Object.values(summary.failuresByCode).reduce((sum, count) => sum + count, 0),
    failuresByCode: summary.failuresByCode,
  });
  logger.info('scheduled run finished', { summary });
  return summary;
}

export const handler = middy(scheduledRun)
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(logMetrics(metrics, { captureColdStartMetric: true }))
  .use(logKnoxMetrics())
  .use(logErrors());
