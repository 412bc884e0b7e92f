import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import {
  IdempotencyConfig,
  IdempotencyPersistenceLayerError,
  makeIdempotent,
} from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { getSecret } from '@aws-lambda-powertools/parameters/secrets';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Context } from 'aws-lambda';
import type { AlertPipeline } from '../../lib/alerts';
import {
  type JobsConfig,
  JobsConfigError,
  loadServiceConfig,
  resolveJobsConfig,
  type ServiceConfig,
  ServiceConfigError,
} from '../../lib/config';
import { createKnoxClient, type KnoxClient, nodeHttpTransport, observedTransport } from '../../lib/knox';
import {
  type ChunkMessage,
  type ChunkOutcome,
  type ChunkQueue,
  createDynamoRunTracker,
  executeChunk,
  executionKey,
  locateRunReports,
  planCapacity,
  upgradeChunkOutcome,
} from '../../lib/operations';
import { createDynamoNonceStore } from '../../lib/webhooks/createDynamoNonceStore';
// Not the lib/webhooks index: its callback verifier's lazy jose chunk would ship with every function.
import type { KnoxEventQueue } from '../../lib/webhooks/KnoxEventQueue';
import type { NonceStore } from '../../lib/webhooks/NonceStore';
import { AWS_CLIENT_CONFIG, boundByInvocation } from './awsClientConfig';
import { setInvocation } from './invocation';
import { isFieldName } from './jmespathFields';
import { logger } from './observability';
import { once, onceAsync } from './once';
import { recordAlertReport, recordKnoxAnswer } from './serviceMetrics';

// Everything here is created lazily and at most once per execution environment: a cold start
// pays only for what the invoked function uses (the webhook never builds a Knox Guard client),
// and warm invocations reuse clients, connections and the Knox Guard access token. What only one
// path needs is also imported lazily (`await import(...)`): scripts/build.ts splits it into a
// chunk of its own, so a licence check never parses the SQS client, an accepted operation request
// never parses the alert pipeline, and a worker without a follow-up never parses the SQS client.
// (The S3 target source lives in ./objectSource.ts, which only the scheduler imports: a lazy
// import here would ship its chunk with every function.)

/** Validated environment, read once. */
export const serviceConfig = /* @__PURE__ */ once((): ServiceConfig => loadServiceConfig(process.env));

// config/jobs.yml as scripts/build.ts validated and embedded it (JSON, so no YAML parser ships);
// undefined when this file runs unbundled (tests, tsx).
declare const __KGS_JOBS_CONFIG__: unknown;
const embeddedJobs = (): unknown =>
  typeof __KGS_JOBS_CONFIG__ === 'undefined' ? undefined : __KGS_JOBS_CONFIG__;

/**
 * The jobs configuration for this stage, with the stage's `JOB_PARAMS` filled in:
 * `JOBS_CONFIG_PATH` when set (local runs edit jobs.yml without rebuilding; YAML or JSON), else the
 * copy embedded at build time, else `config/jobs.yml` under the task root. The YAML parser is required only on the file path, from the repository's
 * node_modules, so it never enters a bundle.
 */
export const jobsConfig = /* @__PURE__ */ once((): JobsConfig => {
  const stage = serviceConfig().STAGE;
  const path = serviceConfig().JOBS_CONFIG_PATH;
  const params = serviceConfig().JOB_PARAMS ?? {};
  const embedded = path === undefined ? embeddedJobs() : undefined;
  if (embedded !== undefined) return resolveJobsConfig(embedded, stage, params);
  const file = path ?? join(process.env.LAMBDA_TASK_ROOT ?? process.cwd(), 'config', 'jobs.yml');
  const text = readFileSync(file, 'utf8');
  if (file.endsWith('.json')) return resolveJobsConfig(JSON.parse(text), stage, params);
  const yaml = createRequire(import.meta.url)('yaml') as { parse(text: string): unknown };
  let raw: unknown;
  try {
    raw = yaml.parse(text);
  } catch (error) {
    throw new JobsConfigError([`not valid YAML: ${(error as Error).message}`], { cause: error });
  }
  return resolveJobsConfig(raw, stage, params);
});

const dynamo = /* @__PURE__ */ once(() => boundByInvocation(new DynamoDBClient({ ...AWS_CLIENT_CONFIG })));

// Loads the alert pipeline (lib/alerts and the SNS client) on its first use.
const loadAlertPipeline = /* @__PURE__ */ onceAsync(async (): Promise<AlertPipeline> => {
  const lazy = await import('./lazy/alertPipeline');
  const config = serviceConfig();
  return lazy.alertPipeline({
    dynamo: dynamo(),
    tableName: config.STATE_TABLE,
    topicArn: config.ALERT_TOPIC_ARN,
    alerts: jobsConfig().alerts,
    consoleUrl: config.KNOX_CONSOLE_URL,
    runReports: runReportsLocator(),
  });
});

/**
 * Where runs' failed-device lists are (RUN_REPORTS_BUCKET; the region Lambda sets in AWS_REGION),
 * for the digest's report line; undefined without the bucket. Pure: no S3 client loads for it.
 */
export function runReportsLocator() {
  const bucket = serviceConfig().RUN_REPORTS_BUCKET;
  return bucket ? locateRunReports({ bucket, region: process.env.AWS_REGION ?? 'us-east-1' }) : undefined;
}

/**
 * The alert pipeline: rules from jobs.yml, state in DynamoDB, messages to the SNS topic. Its code
 * and the SNS client load when a method is first called, not when the handler starts.
 */
export const alertPipeline = /* @__PURE__ */ once(
  (): AlertPipeline => ({
    process: async (observation) => recordAlertReport(await (await loadAlertPipeline()).process(observation)),
    flush: async (run) => recordAlertReport(await (await loadAlertPipeline()).flush(run)),
  }),
);

// Loads the SQS chunk queue on its first send.
const loadChunkQueue = /* @__PURE__ */ onceAsync(async (): Promise<ChunkQueue> => {
  const { sqsQueue } = await import('./lazy/sqsQueue');
  return sqsQueue(serviceConfig().OPERATIONS_QUEUE_URL);
});

/** The operations queue (chunks of large jobs and API requests); SQS loads on the first send. */
export const chunkQueue = /* @__PURE__ */ once(
  (): ChunkQueue => ({
    send: async (messages, options) => (await loadChunkQueue()).send(messages, options),
  }),
);

// Loads the Knox events queue (the SQS client) on the first admitted callback.
const loadKnoxEventQueue = /* @__PURE__ */ onceAsync(async (): Promise<KnoxEventQueue> => {
  const url = serviceConfig().KNOX_EVENTS_QUEUE_URL;
  if (!url) throw new ServiceConfigError(['KNOX_EVENTS_QUEUE_URL: required (the Knox events queue)']);
  const { knoxEventQueue } = await import('./lazy/knoxEventQueue');
  return knoxEventQueue(url);
});

/** The Knox events queue (admitted callback events for the knoxEvents function); SQS loads on the first send. */
export const knoxEventQueue = /* @__PURE__ */ once(
  (): KnoxEventQueue => ({
    send: async (bodies) => (await loadKnoxEventQueue()).send(bodies),
  }),
);

/** Tracks the chunks of fanned-out runs so the last one sends the run's digest. */
export const runTracker = /* @__PURE__ */ once(() =>
  createDynamoRunTracker({ client: dynamo(), tableName: serviceConfig().STATE_TABLE }),
);

/** `x-knox-nonce` values of processed Knox callbacks, in the state table (`knox-nonce#…` items). */
export const nonceStore = /* @__PURE__ */ once(
  (): NonceStore => createDynamoNonceStore({ client: dynamo(), tableName: serviceConfig().STATE_TABLE }),
);

const idempotencyStores = new Map<string, DynamoDBPersistenceLayer>();

/**
 * Powertools idempotency records in the state table (`pk` key, `ttl` expiry as the table
 * declares). A persistence layer keeps the first configuration it is used with (expiry, payload
 * validation) and ignores later ones, so each idempotent use with its own settings names its own
 * `use`; uses sharing settings may share one.
 */
export function idempotencyStore(use = 'default'): DynamoDBPersistenceLayer {
  let store = idempotencyStores.get(use);
  if (!store) {
    store = new DynamoDBPersistenceLayer({
      tableName: serviceConfig().STATE_TABLE,
      keyAttr: 'pk',
      expiryAttr: 'ttl',
      awsSdkV3Client: dynamo(),
    });
    idempotencyStores.set(use, store);
  }
  return store;
}

/**
 * Idempotency settings for one use: records kept for `expiresAfterSeconds`; the key is the
 * payload's `keyField`, and a repeated key with a different `validationField` is refused
 * (IdempotencyValidationError). Both must be plain top-level field names: the payloads this
 * service builds carry them at their top level, so anything else is a mistake and throws here,
 * when the module loads, in tests and bundles alike.
 */
export function idempotencyConfig(keyField: string, expiresAfterSeconds: number, validationField?: string) {
  for (const field of validationField === undefined ? [keyField] : [keyField, validationField]) {
    if (!isFieldName(field)) throw new Error(`idempotency: "${field}" is not a plain field name`);
  }
  return new IdempotencyConfig({
    eventKeyJmesPath: keyField,
    expiresAfterSeconds,
    throwOnNoIdempotencyKey: true,
    ...(validationField ? { payloadValidationJmesPath: validationField } : {}),
  });
}

interface KnoxCredentialsSecret {
  readonly clientIdentifier: string;
  readonly certificate: { readonly Public: string; readonly Private: string } | string;
}

// One client per role: each holds its own rate limiter sized for that role's share.
const knoxByRole = new Map<KnoxRole, Promise<KnoxClient>>();

/** Which share of the tenant's Knox Guard rate this execution environment may use. */
export type KnoxRole = 'scheduler' | 'worker';

/**
 * The Knox Guard client for `role`, built once per role from the credentials secret
 * ({clientIdentifier, certificate} from Secrets Manager, cached by Powertools Parameters;
 * KNOX_CREDENTIALS_JSON for local runs). Its request rate is that role's share of the tenant's
 * rate (lib/operations planCapacity): each function uses one role, so an environment holds one
 * limiter.
 */
export function knoxClient(role: KnoxRole): Promise<KnoxClient> {
  const cached = knoxByRole.get(role);
  if (cached) return cached;
  const knox = (async () => {
    const config = serviceConfig();
    // The same plan sized the worker's SQS concurrency (serverless.yml params), so the shares of
    // all environments that may run at once add up to less than the tenant's rate.
    const plan = planCapacity({
      rateLimitPerSecond: config.KNOX_RATE_LIMIT_PER_SECOND,
      bulkLimit: config.KNOX_BULK_LIMIT,
      latencyMs: config.KNOX_LATENCY_MS,
    });
    let secret: KnoxCredentialsSecret | undefined;
    if (config.KNOX_CREDENTIALS_JSON)
      secret = JSON.parse(config.KNOX_CREDENTIALS_JSON) as KnoxCredentialsSecret;
    else if (config.KNOX_CREDENTIALS_SECRET_ID) {
      secret = (await getSecret(config.KNOX_CREDENTIALS_SECRET_ID, { transform: 'json', maxAge: 900 })) as
        | KnoxCredentialsSecret
        | undefined;
    }
    if (!secret?.clientIdentifier || !secret.certificate) {
      throw new ServiceConfigError([
        'KNOX_CREDENTIALS_SECRET_ID: the secret must hold {clientIdentifier, certificate}',
      ]);
    }
    return createKnoxClient({
      baseUrl: config.KNOX_BASE_URL,
      clientIdentifier: secret.clientIdentifier,
      certificate:
        typeof secret.certificate === 'string' ? JSON.parse(secret.certificate) : secret.certificate,
      bulkLimit: config.KNOX_BULK_LIMIT,
      apiPrefix: config.KNOX_API_PREFIX,
      unverifiedLicenceApi: config.KNOX_UNVERIFIED_LICENCE_API === 'true',
      // 429s and latency for the dashboard (infra/dashboard.yml), per HTTP request.
      transport: observedTransport(nodeHttpTransport(), recordKnoxAnswer),
      maxRequestsPerSecond: role === 'scheduler' ? plan.schedulerRatePerSecond : plan.workerRatePerSecond,
      logger: {
        debug: (message, data) => logger.debug(message, { data }),
        info: (message, data) => logger.info(message, { data }),
        warn: (message, data) => logger.warn(message, { data }),
      },
    });
  })().catch((error: unknown) => {
    knoxByRole.delete(role); // a failed secret fetch must not poison the warm container
    throw error;
  });
  knoxByRole.set(role, knox);
  return knox;
}

// The webhook's two secrets: the Secrets Manager secret id variable (serverless.yml sets it) and
// the variable that carries the value itself on local runs without AWS.
const WEBHOOK_SECRETS = {
  /** The HMAC secret(s) for `POST /operations`, comma-separated while a secret is rotated. */
  operationsHmac: { idVariable: 'OPERATIONS_HMAC_SECRET_ID', localVariable: 'OPERATIONS_HMAC_SECRET' },
  /** The Samsung Knox validation certificate (PEM) Knox callbacks are verified against. */
  knoxValidationCert: {
    idVariable: 'KNOX_VALIDATION_CERT_SECRET_ID',
    localVariable: 'KNOX_VALIDATION_CERT_PEM',
  },
} as const;

/**
 * One of the webhook's secrets as text: the SecretString of its Secrets Manager secret (cached
 * for five minutes by Powertools Parameters, so a rotated value is picked up without a deploy),
 * or its local override variable for runs without AWS. Errors name the variable, never the value.
 *
 * @example
 * const secrets = (await webhookSecret('operationsHmac')).split(',');
 */
export async function webhookSecret(name: keyof typeof WEBHOOK_SECRETS): Promise<string> {
  const { idVariable, localVariable } = WEBHOOK_SECRETS[name];
  const config = serviceConfig();
  const localValue = config[localVariable];
  if (localValue) return localValue;
  const secretId = config[idVariable];
  if (!secretId) throw new ServiceConfigError([`${idVariable}: required (the Secrets Manager secret id)`]);
  const value = await getSecret(secretId, { maxAge: 300 });
  if (typeof value !== 'string' || value === '') {
    throw new ServiceConfigError([
      `${idVariable}: the secret ${secretId} must hold a non-empty SecretString`,
    ]);
  }
  return value;
}

/**
 * The deadline work inside an invocation must respect: the Lambda's remaining time minus a
 * margin for reporting (alerts, batch response).
 */
export function deadlineOf(context: { getRemainingTimeInMillis(): number }, marginMs = 10_000): number {
  return Date.now() + Math.max(1_000, context.getRemainingTimeInMillis() - marginMs);
}

// One record of a chunk's Knox Guard execution per (run, chunk, attempt), kept 7 days: a
// redelivered message or a retried scheduled run (Lambda retry, visibility timeout, alert publish
// failure) gets the stored outcome back instead of sending the devices to Knox Guard again.
const chunkIdempotency = idempotencyConfig('key', 7 * 24 * 3600);
let chunkExecutor:
  | ((
      payload: { key: string; message: ChunkMessage },
      deadline: number,
      role: KnoxRole,
    ) => Promise<ChunkOutcome>)
  | undefined;
// Outcomes Knox has produced in this invocation, by payload: when the COMPLETED write fails after
// Knox executed the chunk, the outcome is still known here and must not be thrown away (SQS would
// redeliver the message after the 720 s visibility timeout and run the devices again).
const executed = new WeakMap<object, ChunkOutcome>();

/**
 * Executes a chunk against Knox Guard at most once per `executionKey` (Powertools idempotency on the
 * state table). Call `registerInvocation(context)` first in each invocation, so a record left
 * "in progress" by a crashed invocation expires with that invocation's timeout. When Knox has run
 * the chunk but the COMPLETED record cannot be written (IdempotencyPersistenceLayerError), the
 * write is retried with backoff until `deadline` and the outcome is answered either way: the
 * message then succeeds and is not redelivered. A record left "in progress" only matters to a
 * duplicate delivery after its expiry; that re-run finds the devices in the target state, which
 * `executeChunk` counts as success (lib/knox/operationTargetStates). `role` names whose share of
 * the tenant's Knox rate the chunk's calls use: the scheduler's for chunks it runs inline, the
 * worker's for SQS chunks.
 */
export async function executeChunkOnce(
  message: ChunkMessage,
  deadline: number,
  role: KnoxRole,
  origin?: { executedNow: boolean },
): Promise<ChunkOutcome> {
  chunkExecutor ??= makeIdempotent(
    async (payload: { key: string; message: ChunkMessage }, until: number, as: KnoxRole) => {
      const outcome = await executeChunk(payload.message, {
        executor: await knoxClient(as),
        deadline: until,
      });
      executed.set(payload, outcome);
      return outcome;
    },
    { persistenceStore: idempotencyStore(), config: chunkIdempotency, dataIndexArgument: 0 },
  );
  const payload = { key: executionKey(message), message };
  try {
    // A record written before outcomes were bounded comes back in the old shape (kept 7 days).
    const outcome = upgradeChunkOutcome(await chunkExecutor(payload, deadline, role), message);
    // `origin` tells the worker whether Knox was asked now or the stored outcome was replayed.
    if (origin) origin.executedNow = executed.has(payload);
    return outcome;
  } catch (error) {
    const outcome = executed.get(payload);
    if (!(error instanceof IdempotencyPersistenceLayerError) || outcome === undefined) throw error;
    if (origin) origin.executedNow = true;
    const saved = await retryUntil(deadline, () =>
      // ChunkOutcome is JSON by construction (see its TSDoc); Powertools types results as JSONValue.
      idempotencyStore().saveSuccess(
        payload,
        outcome as unknown as Parameters<ReturnType<typeof idempotencyStore>['saveSuccess']>[1],
      ),
    );
    logger.warn('chunk executed; its idempotency record was not completed at first', {
      job: message.job,
      runId: message.runId,
      chunk: message.chunk,
      completedLater: saved,
      error: error as Error,
    });
    return outcome;
  }
}

/**
 * Calls `write` until it resolves: up to 5 tries, waits doubling from 100 ms, none past `deadline`.
 * `false` when it never did (the store is down: holding the worker longer would not help).
 */
async function retryUntil(deadline: number, write: () => Promise<unknown>): Promise<boolean> {
  for (let attempt = 1, wait = 100; ; attempt += 1, wait *= 2) {
    try {
      await write();
      return true;
    } catch {
      if (attempt >= 5 || Date.now() + wait >= deadline) return false;
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }
}

/**
 * Ties idempotency records, alert claims and every AWS SDK call to this invocation's remaining
 * time. Call it first in each invocation.
 */
export function registerInvocation(context: Context): void {
  setInvocation(context);
  chunkIdempotency.registerLambdaContext(context);
}
