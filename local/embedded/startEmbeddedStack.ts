import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import type {
  APIGatewayProxyEventV2,
  APIGatewayProxyStructuredResultV2,
  Context,
  SQSBatchResponse,
  SQSEvent,
} from 'aws-lambda';
import { buildFunctions } from '../../scripts/build';
import { type InboxMessage, type LocalAws, readInbox, startLocalAws } from '../aws';
import { type KnoxSimulator, type KnoxSimulatorOptions, startKnoxSimulator } from '../simulator';
import { asyncFailureRecord, httpApiEvent, lambdaContext, schedulerInput, sqsEvent } from './lambdaEvents';
import { type ProvisionedStack, provisionFromInfra } from './provisionFromInfra';

type Handler<E, R> = (event: E, context: Context) => Promise<R>;

export interface EmbeddedHandlers {
  readonly scheduledRun: Handler<unknown, unknown>;
  readonly operationWorker: Handler<SQSEvent, SQSBatchResponse>;
  readonly webhook: Handler<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>;
  readonly runFailures: Handler<SQSEvent, SQSBatchResponse>;
  readonly knoxEvents: Handler<SQSEvent, SQSBatchResponse>;
}

/**
 * A scheduled run threw on every attempt Lambda would make: its invocation record is on the
 * on-failure queue (`drainRunFailures` hands it to runFailures, which alerts the admins).
 */
export class AsyncInvocationFailedError extends Error {
  /** Attempts made: 1 + the function's maximumRetryAttempts. */
  readonly attempts: number;
  readonly requestId: string;
  constructor(
    message: string,
    details: { attempts: number; requestId: string },
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'AsyncInvocationFailedError';
    this.attempts = details.attempts;
    this.requestId = details.requestId;
  }
}

export interface EmbeddedStack {
  readonly sim: KnoxSimulator;
  readonly aws: LocalAws;
  readonly stack: ProvisionedStack;
  readonly handlers: EmbeddedHandlers;
  /** The shared secret `POST /operations` requests are signed with. */
  readonly hmacSecret: string;
  /** The private key standing in for Samsung's callback signing key (its public key is configured). */
  readonly callbackSigningKeyPem: string;
  /**
   * Invokes the scheduled-run handler as EventBridge Scheduler does, i.e. asynchronously: a run
   * that throws is retried as Lambda would (serverless.yml maximumRetryAttempts; locally at once
   * rather than 1 and 2 minutes later, with the same request id), and when every attempt threw,
   * the invocation record goes to the on-failure queue and this rejects with an
   * `AsyncInvocationFailedError` whose `cause` is the last error.
   */
  runSchedule(job: string, scheduledTime?: Date): Promise<unknown>;
  /**
   * Polls the scheduled run's on-failure queue like the SQS event source of runFailures, which
   * turns each record into a SCHEDULED_RUN_FAILED alert; failed items are redelivered up to the
   * queue's maxReceiveCount, then dead-lettered.
   */
  drainRunFailures(): Promise<DrainResult>;
  /**
   * Invokes the webhook handler with an HTTP API v2 event. For `/knox/notifications` it then
   * drains the Knox events queue (`drainKnoxEvents`), as the knoxEvents event source would moments
   * later, unless `drainKnoxEvents: false`: the callback's alerts are out when this resolves.
   */
  http(
    path: string,
    body: string | undefined,
    headers: Record<string, string>,
    options?: { drainKnoxEvents?: boolean },
  ): Promise<APIGatewayProxyStructuredResultV2>;
  /**
   * Polls the Knox events queue like the knoxEvents event source (batch size and concurrency as
   * serverless.yml declares them), deleting what succeeded and redelivering reported
   * `batchItemFailures` up to the queue's maxReceiveCount, then the DLQ.
   */
  drainKnoxEvents(): Promise<DrainResult>;
  /**
   * Polls the operations queue like the SQS event source: up to `concurrency` worker invocations
   * at a time with `batchSize` messages each, deleting what succeeded and making reported
   * `batchItemFailures` visible again, until the queue has no visible message.
   */
  drainOperations(options?: {
    concurrency?: number;
    onBatch?: (info: DrainProgress) => void;
  }): Promise<DrainResult>;
  readAlerts(): Promise<{ email: InboxMessage[]; sms: InboxMessage[] }>;
  close(): Promise<void>;
}

export interface DrainProgress {
  readonly invocations: number;
  readonly messages: number;
  readonly failedItems: number;
}
export interface DrainResult extends DrainProgress {
  /** Messages still delayed (follow-up attempts) or in flight when the queue ran dry. */
  readonly delayed: number;
  readonly deadLettered: number;
}

export interface EmbeddedOptions {
  readonly stage?: string;
  readonly simulator?: KnoxSimulatorOptions;
  /** Rebuild the bundles first (default true); e2e tests build once in a setup step. */
  readonly build?: boolean;
  readonly distDir?: string;
  readonly logLevel?: string;
  /**
   * Where the state table is kept between runs (`npm start`'s `.tmp/local-state`, which the admin
   * CLI reads and writes); default: in memory, gone with the process.
   */
  readonly statePath?: string;
}

const ROOT = new URL('../../', import.meta.url);

/**
 * The embedded default: a Knox Guard simulator, local SNS/SQS/S3 (fauxqs) and DynamoDB
 * (dynalite) on 127.0.0.1, the resources serverless.yml declares, and the five packaged
 * (esbuild) handlers loaded with the environment a deployment gives them. Used by `npm start`
 * and by test/e2e.
 *
 * @example
 * const env = await startEmbeddedStack();
 * await env.runSchedule('overdue-lock');
 * await env.drainOperations();
 * console.log(await env.readAlerts());
 * await env.close();
 */
export async function startEmbeddedStack(options: EmbeddedOptions = {}): Promise<EmbeddedStack> {
  const stage = options.stage ?? 'local';
  const distDir = options.distDir ?? fileURLToPath(new URL('dist/functions', ROOT));
  const sim = await startKnoxSimulator(options.simulator ?? {});
  let aws: LocalAws | undefined;
  try {
    aws = await startLocalAws(options.statePath === undefined ? {} : { dynamodbPath: options.statePath });
    const stack = await provisionFromInfra(aws, { stage, root: ROOT });
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const hmacSecret = `local-${stage}-hmac-secret`;
    Object.assign(process.env, {
      AWS_REGION: aws.region,
      AWS_ACCESS_KEY_ID: aws.credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: aws.credentials.secretAccessKey,
      AWS_ENDPOINT_URL_SNS: aws.endpoints.sns,
      AWS_ENDPOINT_URL_SQS: aws.endpoints.sqs,
      AWS_ENDPOINT_URL_S3: aws.endpoints.s3,
      AWS_ENDPOINT_URL_DYNAMODB: aws.endpoints.dynamodb,
      AWS_S3_FORCE_PATH_STYLE: 'true',
      STAGE: stage,
      STATE_TABLE: stack.tableName,
      ALERT_TOPIC_ARN: stack.topicArn,
      OPERATIONS_QUEUE_URL: stack.queueUrl,
      KNOX_EVENTS_QUEUE_URL: stack.knoxEvents.queueUrl,
      TARGETS_BUCKET: stack.bucket,
      RUN_REPORTS_BUCKET: stack.reportsBucket,
      KNOX_BASE_URL: sim.url,
      KNOX_CONSOLE_URL: stack.params.knoxConsoleUrl,
      KNOX_CREDENTIALS_JSON: JSON.stringify({
        clientIdentifier: sim.clientIdentifier,
        certificate: sim.certificate,
      }),
      OPERATIONS_HMAC_SECRET: hmacSecret,
      KNOX_VALIDATION_CERT_PEM: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
      JOBS_CONFIG_PATH: fileURLToPath(new URL('config/jobs.yml', ROOT)),
      POWERTOOLS_SERVICE_NAME: stack.service,
      POWERTOOLS_LOG_LEVEL: options.logLevel ?? 'WARN',
      POWERTOOLS_METRICS_DISABLED: 'true',
    });
    if (options.build ?? true) await buildFunctions({ outdir: distDir });
    const load = async <T>(name: string): Promise<T> =>
      ((await import(pathToFileURL(`${distDir}/${name}/index.mjs`).href)) as { handler: T }).handler;
    const handlers: EmbeddedHandlers = {
      scheduledRun: await load('scheduled-run'),
      operationWorker: await load('operation-worker'),
      webhook: await load('webhook'),
      runFailures: await load('run-failures'),
      knoxEvents: await load('knox-events'),
    };
    const sqs = new SQSClient(aws.clientConfig('sqs'));
    const localAws = aws;
    const drainKnoxEvents = () =>
      drain(
        sqs,
        {
          queueUrl: stack.knoxEvents.queueUrl,
          queueArn: stack.knoxEvents.queueArn,
          dlqUrl: stack.knoxEvents.dlqUrl,
          handler: handlers.knoxEvents,
          functionName: 'knoxEvents',
          ...stack.knoxEvents.consumer,
        },
        {},
      );
    return {
      sim,
      aws,
      stack,
      handlers,
      hmacSecret,
      callbackSigningKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      runSchedule: (job, scheduledTime = new Date()) =>
        invokeAsync(sqs, stack, handlers.scheduledRun, schedulerInput(job, scheduledTime)),
      http: async (path, body, headers, httpOptions = {}) => {
        const answer = await handlers.webhook(
          httpApiEvent('POST', path, headers, body),
          lambdaContext('webhook', 10_000),
        );
        if (path === '/knox/notifications' && (httpOptions.drainKnoxEvents ?? true)) await drainKnoxEvents();
        return answer;
      },
      drainKnoxEvents: () => drainKnoxEvents(),
      drainOperations: (drainOptions = {}) =>
        drain(
          sqs,
          {
            queueUrl: stack.queueUrl,
            queueArn: stack.queueArn,
            dlqUrl: stack.dlqUrl,
            handler: handlers.operationWorker,
            functionName: 'operationWorker',
            timeoutMs: 120_000,
            batchSize: Number(stack.params.workerBatchSize ?? 5),
            concurrency: drainOptions.concurrency ?? Number(stack.params.workerMaxConcurrency ?? 2),
          },
          drainOptions,
        ),
      drainRunFailures: () =>
        drain(
          sqs,
          {
            ...stack.runFailures,
            handler: handlers.runFailures,
            functionName: 'runFailures',
            timeoutMs: 30_000,
            batchSize: 10,
            concurrency: 1,
          },
          {},
        ),
      readAlerts: async () => ({
        email: await readInbox(localAws, stack.inboxes.email.queueUrl),
        sms: await readInbox(localAws, stack.inboxes.sms.queueUrl),
      }),
      close: async () => {
        sqs.destroy();
        await localAws.close();
        await sim.close();
      },
    };
  } catch (error) {
    await aws?.close();
    await sim.close();
    throw error;
  }
}

/**
 * One asynchronous invocation as Lambda runs it: the first attempt plus maximumRetryAttempts
 * retries of a handler that throws, all with the same request id; then the invocation record to
 * the on-failure destination (an SQS queue here, as in serverless.yml).
 */
async function invokeAsync(
  sqs: SQSClient,
  stack: ProvisionedStack,
  handler: Handler<unknown, unknown>,
  event: unknown,
): Promise<unknown> {
  const requestId = randomUUID();
  const attempts = 1 + stack.scheduledRunAsync.maximumRetryAttempts;
  let lastError: unknown;
  for (let attempt = 1; attempt <= attempts; attempt += 1) {
    try {
      return await handler(event, lambdaContext('scheduledRun', 300_000, 'us-east-1', requestId));
    } catch (error) {
      lastError = error;
    }
  }
  const functionArn = `arn:aws:lambda:us-east-1:000000000000:function:${stack.service}-${stack.stage}-scheduledRun`;
  const record = asyncFailureRecord({ functionArn, requestId, payload: event, error: lastError, attempts });
  await sqs.send(
    new SendMessageCommand({ QueueUrl: stack.runFailures.queueUrl, MessageBody: JSON.stringify(record) }),
  );
  const reason = lastError instanceof Error ? `${lastError.name}: ${lastError.message}` : String(lastError);
  throw new AsyncInvocationFailedError(
    `scheduledRun failed on all ${attempts} attempts (${reason}); its invocation record is on the on-failure queue`,
    { attempts, requestId },
    { cause: lastError },
  );
}

interface DrainTarget {
  readonly queueUrl: string;
  readonly queueArn: string;
  readonly dlqUrl: string;
  readonly handler: Handler<SQSEvent, SQSBatchResponse>;
  readonly functionName: string;
  readonly timeoutMs: number;
  readonly batchSize: number;
  readonly concurrency: number;
}

async function drain(
  sqs: SQSClient,
  target: DrainTarget,
  options: { onBatch?: (info: DrainProgress) => void },
): Promise<DrainResult> {
  const { concurrency, batchSize } = target;
  const progress = { invocations: 0, messages: 0, failedItems: 0 };
  const poller = async () => {
    for (;;) {
      const { Messages } = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: target.queueUrl,
          MaxNumberOfMessages: batchSize,
          WaitTimeSeconds: 0,
          MessageSystemAttributeNames: ['All'],
        }),
      );
      if (!Messages || Messages.length === 0) return;
      let failed: Set<string>;
      try {
        const response = await target.handler(
          sqsEvent(target.queueArn, Messages),
          lambdaContext(target.functionName, target.timeoutMs),
        );
        failed = new Set((response?.batchItemFailures ?? []).map((item) => item.itemIdentifier));
      } catch {
        // A rejected invocation (every record failed) means the whole batch is redelivered.
        failed = new Set(Messages.map((message) => message.MessageId ?? ''));
      }
      progress.invocations += 1;
      progress.messages += Messages.length;
      progress.failedItems += failed.size;
      const done = Messages.filter((message) => !failed.has(message.MessageId ?? ''));
      const retry = Messages.filter((message) => failed.has(message.MessageId ?? ''));
      if (done.length > 0) {
        await sqs.send(
          new DeleteMessageBatchCommand({
            QueueUrl: target.queueUrl,
            Entries: done.map((message, index) => ({
              Id: String(index),
              ReceiptHandle: message.ReceiptHandle,
            })),
          }),
        );
      }
      // Locally a failed item is made visible again at once instead of after the visibility
      // timeout, so redelivery up to maxReceiveCount (then the DLQ) happens within the run.
      if (retry.length > 0) {
        await sqs.send(
          new ChangeMessageVisibilityBatchCommand({
            QueueUrl: target.queueUrl,
            Entries: retry.map((message, index) => ({
              Id: String(index),
              ReceiptHandle: message.ReceiptHandle,
              VisibilityTimeout: 0,
            })),
          }),
        );
      }
      options.onBatch?.({ ...progress });
    }
  };
  await Promise.all(Array.from({ length: concurrency }, poller));
  const count = async (
    url: string,
    names: (
      | 'ApproximateNumberOfMessages'
      | 'ApproximateNumberOfMessagesDelayed'
      | 'ApproximateNumberOfMessagesNotVisible'
    )[],
  ) => {
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: names }),
    );
    return names.reduce((sum, name) => sum + Number(Attributes?.[name] ?? 0), 0);
  };
  return {
    ...progress,
    delayed: await count(target.queueUrl, [
      'ApproximateNumberOfMessagesDelayed',
      'ApproximateNumberOfMessagesNotVisible',
    ]),
    deadLettered: await count(target.dlqUrl, ['ApproximateNumberOfMessages']),
  };
}
