// The operation worker's Knox Guard settings as a deployed stage ships them, read from the files
// the functions are built and deployed from (serverless.yml's params, provider and function
// environment and event source; config/jobs.yml's chunk size), through the same parsers the
// functions use (lib/config's loadServiceConfig, lib/operations' planCapacity), so the bench
// measures what ships instead of a copy of its numbers.
import { loadServiceConfig, resolveJobsConfig } from '../lib/config';
import { planCapacity } from '../lib/operations';
import { readJobsConfig } from '../scripts/build';
import { readServerlessManifest, stageParams } from '../scripts/serverlessManifest';

/** One worker execution environment's Knox Guard settings and how many of them run at once. */
export interface ShippedWorker {
  readonly stage: string;
  /** Devices per chunk message: config/jobs.yml `defaults.chunkSize` for the stage. */
  readonly chunkSize: number;
  /** `KNOX_BULK_LIMIT` as the worker reads it (the client splits a chunk above it). */
  readonly bulkLimit: number;
  /** SQS records per invocation (serverless.yml event source `batchSize`), processed in turn. */
  readonly batchSize: number;
  /** Worker environments at once (event source `maximumConcurrency`). */
  readonly environments: number;
  /** The client-side rate limit of one environment, `planCapacity(...).workerRatePerSecond`. */
  readonly ratePerSecond: number;
  /** `KNOX_RATE_LIMIT_PER_SECOND` and `KNOX_LATENCY_MS` as the worker reads them. */
  readonly knoxRateLimitPerSecond: number;
  readonly plannedLatencyMs: number;
}

// `${param:name}` replaced by the stage's param; anything else (`!Ref`, `${sls:stage}`) dropped,
// as the Knox settings never use them.
function resolveParams(
  entries: Readonly<Record<string, unknown>>,
  params: Record<string, unknown>,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(entries)) {
    if (typeof value === 'number' || typeof value === 'boolean') out[name] = String(value);
    if (typeof value !== 'string') continue;
    const param = /^\$\{param:([A-Za-z0-9_]+)\}$/.exec(value)?.[1];
    if (param !== undefined) {
      if (params[param] !== undefined) out[name] = String(params[param]);
    } else if (!value.includes('${')) out[name] = value;
  }
  return out;
}

/**
 * The worker's shipped settings for `stage` (default `prod`).
 *
 * @example
 * const worker = await shippedWorker('prod'); // { chunkSize: 10000, environments: 11, ratePerSecond: 3.33, ... }
 */
export async function shippedWorker(stage = 'prod'): Promise<ShippedWorker> {
  const manifest = await readServerlessManifest();
  const params = stageParams(manifest, stage);
  const knoxEnv = Object.fromEntries(
    Object.entries(
      resolveParams({ ...manifest.environment, ...manifest.functionEnvironment.operationWorker }, params),
    ).filter(([name]) => name.startsWith('KNOX_')),
  );
  // The variables that name AWS resources are CloudFormation references: placeholders here.
  const config = loadServiceConfig({
    STAGE: stage,
    STATE_TABLE: 'bench',
    ALERT_TOPIC_ARN: 'bench',
    OPERATIONS_QUEUE_URL: 'bench',
    ...knoxEnv,
  });
  const plan = planCapacity({
    rateLimitPerSecond: config.KNOX_RATE_LIMIT_PER_SECOND,
    bulkLimit: config.KNOX_BULK_LIMIT,
    latencyMs: config.KNOX_LATENCY_MS,
  });
  const functions = manifest.document.toJS() as {
    functions: { operationWorker: { events: { sqs?: Record<string, unknown> }[] } };
  };
  const sqs = functions.functions.operationWorker.events.find((event) => event.sqs)?.sqs ?? {};
  const source = resolveParams(sqs, params);
  const jobs = resolveJobsConfig(await readJobsConfig(), stage);
  return {
    stage,
    chunkSize: jobs.defaults.chunkSize,
    bulkLimit: config.KNOX_BULK_LIMIT,
    batchSize: Number(source.batchSize ?? 10),
    environments: Number(source.maximumConcurrency ?? plan.workerMaxConcurrency),
    ratePerSecond: plan.workerRatePerSecond,
    knoxRateLimitPerSecond: config.KNOX_RATE_LIMIT_PER_SECOND,
    plannedLatencyMs: config.KNOX_LATENCY_MS,
  };
}
