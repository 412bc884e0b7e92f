// The fault-injection scenarios (issue 13, "What must show when done"), shared by the tests in
// test/integration/faults and by scripts/reliability-report.ts, so the figures in
// docs/fault-injection.md come from the same code the tests assert on. Every scenario starts the
// real local servers (dynalite, fauxqs, the Knox Guard simulator), injects its faults at the wire
// (a loopback proxy in front of DynamoDB and SNS, the simulator's scripted faults for Knox Guard)
// and counts what the admins and the devices actually got: messages in an SQS inbox subscribed to
// the alert topic, and the simulator's own per-device ledger of applied operations.
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { SNSClient } from '@aws-sdk/client-sns';
import {
  DeleteMessageBatchCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import {
  createAlertPipeline,
  createDynamoAlertStateStore,
  createSnsAlertPublisher,
  loadAlertRules,
  type RunObservation,
} from '../../lib/alerts';
import type { AlertStateStore } from '../../lib/alerts/AlertStateStore';
import { DeviceStatus } from '../../lib/knox';
import {
  createAlertStateTable,
  createAlertTopic,
  createInbox,
  type InboxMessage,
  readInbox,
  startLocalAws,
} from '../../local/aws';
import { type EmbeddedStack, startEmbeddedStack } from '../../local/embedded';
import { ExecutionLedger, type SimFault } from '../../local/simulator';
import { failures, MINUTE, settableClock, T0 } from './awsAlerts';
import { type FaultProxy, startFaultProxy } from './faultProxy';
import { startSqsFaultProxy } from './sqsFaultProxy';

/** One row of the reliability table. */
export interface ScenarioResult {
  readonly scenario: string;
  readonly faultsInjected: number;
  readonly alertsExpected: number;
  readonly alertsDelivered: number;
  readonly alertsDuplicated: number;
  readonly devicesExpected: number;
  readonly devicesExecuted: number;
  readonly devicesDuplicated: number;
  /** The subjects the admins received (to check the counts in the text). */
  readonly subjects: readonly string[];
}

const LICENSE_FAILURES = 31;

const observation = (runId: string): RunObservation => ({
  stage: 'prod',
  job: 'overdue-lock',
  runId,
  operation: 'lock',
  failures: failures('LICENSE_IS_LACK', LICENSE_FAILURES),
  successes: 0,
  // As runScheduledJob reports an inline run: a retry of the run does not double its count.
  contribution: 'inline',
});

/** Alert messages counted per (kind, subject): more than one of the same is a duplicate. */
function countAlerts(inbox: readonly InboxMessage[]): { delivered: number; duplicated: number } {
  const seen = new Map<string, number>();
  for (const message of inbox) {
    const key = `${message.attributes.kind} ${message.subject}`;
    seen.set(key, (seen.get(key) ?? 0) + 1);
  }
  let duplicated = 0;
  for (const count of seen.values()) duplicated += count - 1;
  return { delivered: seen.size, duplicated };
}

/**
 * The alert path of one Lambda environment: its own SDK clients, DynamoDB and SNS reached
 * through the fault proxies, SDK retries off (the pipeline and publisher retry themselves).
 */
async function alertBench(name: string) {
  const local = await startLocalAws();
  const dynamoProxy = await startFaultProxy(local.endpoints.dynamodb);
  const snsProxy = await startFaultProxy(local.endpoints.sns);
  const tableName = `faults-${name}`;
  await createAlertStateTable(local, tableName);
  const topicArn = await createAlertTopic(local, `faults-${name}`);
  const inbox = await createInbox(local, { topicArn, name: `faults-inbox-${name}` });
  const clients: { destroy(): void }[] = [];
  const environment = (at: number, wrap?: (store: AlertStateStore) => AlertStateStore) => {
    const dynamo = new DynamoDBClient({
      ...local.clientConfig('dynamodb'),
      endpoint: dynamoProxy.url,
      maxAttempts: 1,
    });
    const sns = new SNSClient({ ...local.clientConfig('sns'), endpoint: snsProxy.url, maxAttempts: 1 });
    clients.push(dynamo, sns);
    const store = createDynamoAlertStateStore({ client: dynamo, tableName });
    return createAlertPipeline({
      rules: loadAlertRules({}),
      store: wrap ? wrap(store) : store,
      publisher: createSnsAlertPublisher({ client: sns, topicArn, sleep: async () => {} }),
      clock: settableClock(at),
      sleep: async () => {},
      remainingTime: () => 30_000,
    });
  };
  const finish = async (
    scenario: string,
    faults: FaultProxy[],
    alertsExpected: number,
  ): Promise<ScenarioResult> => {
    const messages = await readInbox(local, inbox.queueUrl);
    const { delivered, duplicated } = countAlerts(messages);
    for (const client of clients) client.destroy();
    await dynamoProxy.close();
    await snsProxy.close();
    await local.close();
    return {
      scenario,
      faultsInjected: faults.reduce((sum, proxy) => sum + proxy.injected.length, 0),
      alertsExpected,
      alertsDelivered: delivered,
      alertsDuplicated: duplicated,
      devicesExpected: 0,
      devicesExecuted: 0,
      devicesDuplicated: 0,
      subjects: messages.map((message) => message.subject ?? ''),
    };
  };
  return { dynamoProxy, snsProxy, environment, finish };
}

/**
 * SNS down, then back: PublishBatch answers 500 three times and loses the connection twice
 * before reaching SNS; the invocation gives up (its claim released), Lambda's async retry one
 * minute later delivers the alert.
 */
export async function snsDownThenRecovers(): Promise<ScenarioResult> {
  const bench = await alertBench('sns-down');
  let publishes = 0;
  bench.snsProxy.setRule((request) => {
    if (!request.body.includes('Action=PublishBatch')) return undefined;
    publishes += 1;
    if (publishes <= 3) return '500';
    if (publishes <= 5) return 'drop-before';
    return undefined;
  });
  const first = await bench
    .environment(T0)
    .process(observation('run-1'))
    .then(
      () => 'published',
      (error: Error) => error.name,
    );
  if (first !== 'AlertPublishError') throw new Error(`first try: expected AlertPublishError, got ${first}`);
  await bench.environment(T0 + MINUTE).process(observation('run-1'));
  return bench.finish('SNS down (5 failed PublishBatch), then the async retry', [bench.snsProxy], 1);
}

/**
 * A crash after the alert claim: the invocation claims the alert in DynamoDB and dies before its
 * PublishBatch (it never goes on); Lambda's async retry one minute later, in a fresh environment,
 * sends it, not the next scheduled run.
 */
export async function crashAfterClaim(): Promise<ScenarioResult> {
  const bench = await alertBench('crash');
  let claimed = false;
  const dying = bench.environment(T0, (store) => ({
    ...store,
    claim: async (key, input) => {
      const ok = await store.claim(key, input);
      claimed ||= ok;
      return ok;
    },
    // The crash: the write that precedes PublishBatch never completes.
    markPublishing: () => new Promise<boolean>(() => {}),
  }));
  void dying.process(observation('run-1'));
  for (let i = 0; i < 500 && !claimed; i += 1) await new Promise((resolve) => setTimeout(resolve, 10));
  if (!claimed) throw new Error('the dying invocation never claimed the alert');
  await bench.environment(T0 + MINUTE).process(observation('run-1'));
  const result = await bench.finish('Crash after the alert claim, then the async retry', [], 1);
  return { ...result, faultsInjected: 1 };
}

/**
 * The DynamoDB write that marks the alert sent fails (500s on every try) after SNS accepted it;
 * the next scheduled run, ten minutes later with DynamoDB healthy, must not send it again.
 */
export async function markSentFailsAfterSns(): Promise<ScenarioResult> {
  const bench = await alertBench('mark-sent');
  bench.dynamoProxy.setRule((request) =>
    request.target.endsWith('.UpdateItem') &&
    request.body.includes('ADD notifications') &&
    request.body.includes('lastNotifiedAt = :now')
      ? '500'
      : undefined,
  );
  await bench.environment(T0).process(observation('run-1'));
  bench.dynamoProxy.setRule(() => undefined);
  await bench.environment(T0 + 10 * MINUTE).process(observation('run-2'));
  return bench.finish('DynamoDB mark-sent write fails after SNS accepted', [bench.dynamoProxy], 1);
}

/** How Knox Guard misbehaves in a device scenario. */
export type KnoxFaultPlan = 'storm' | 'outage' | 'down-then-redrive';

export interface KnoxScenarioOptions {
  readonly devices: number;
  readonly plan: KnoxFaultPlan;
  /** Rebuild the handler bundles first (default true); later scenarios of a run reuse them. */
  readonly build?: boolean;
}

/**
 * `overdue-lock` over `devices` Enrolled devices through the packaged handlers (scheduler,
 * operations queue, worker) while Knox Guard fails, counted by the simulator's ledger:
 * - `storm`: every chunk's first three lockAsync calls are answered 429 (Retry-After: 1);
 * - `outage`: lockAsync answers 503 twice, then the connection is reset twice, per chunk;
 * - `down-then-redrive`: 429 asking for an hour on every call, so each chunk is handed back,
 *   redelivered up to maxReceiveCount and dead-lettered with a KNOX_UNAVAILABLE alert; Knox then
 *   recovers and the DLQ is redriven (as an operator would) and drained.
 */
export async function knoxDeviceScenario(options: KnoxScenarioOptions): Promise<ScenarioResult> {
  const { devices, plan } = options;
  const env = await startEmbeddedStack({
    // The stage whose job params (lock message, contact) jobs.yml sets: overdue-lock is enabled.
    stage: 'local',
    build: options.build ?? true,
    simulator: {
      seed: { devices: Math.ceil(devices * 1.25), mix: { Enrolled: 90, Locked: 10 }, simControlRatio: 0 },
    },
    logLevel: 'CRITICAL',
  });
  const closers: (() => Promise<void>)[] = [];
  try {
    // Follow-up attempts are sent with a delay of 30 s and more: the workers reach SQS through a
    // proxy that drops it (their SDK clients are created at first use, after this).
    const sqsProxy = await startSqsFaultProxy(env.aws.endpoints.sqs);
    sqsProxy.removeDelays = true;
    process.env.AWS_ENDPOINT_URL_SQS = sqsProxy.url;
    closers.push(() => sqsProxy.close());
    // Fresh module instances (a new Lambda environment each): the bundles cache their SDK clients,
    // and an earlier scenario in this process had other endpoints.
    scenarioCount += 1;
    const handlers = env.handlers as unknown as Record<string, unknown>;
    for (const [key, name] of [
      ['scheduledRun', 'scheduled-run'],
      ['operationWorker', 'operation-worker'],
    ] as const) {
      const url = pathToFileURL(join(process.cwd(), `dist/functions/${name}/index.mjs`)).href;
      handlers[key] = ((await import(`${url}?scenario=${scenarioCount}`)) as { handler: unknown }).handler;
    }
    const state = env.sim.state;
    state.ledger = new ExecutionLedger();
    const targets = enrolledWithoutSimControl(env, devices);
    await putTargets(env, targets);
    const chunks = Math.ceil(devices / 10_000);
    const fault = (extra: SimFault): void => {
      env.sim.faults.push({ path: 'lockAsync', ...extra });
    };
    if (plan === 'storm') fault({ status: 429, headers: { 'retry-after': '1' }, times: 3 * chunks });
    if (plan === 'outage') {
      fault({ status: 503, times: 2 * chunks });
      fault({ reset: true, times: 2 * chunks });
    }
    if (plan === 'down-then-redrive')
      fault({ status: 429, headers: { 'retry-after': '3600' }, times: 1_000_000 });
    const statusBefore = { ...env.sim.stats.byStatus };
    await env.runSchedule('overdue-lock');
    await env.drainOperations();
    let expectedAlerts = 0;
    if (plan === 'down-then-redrive') {
      env.sim.faults.length = 0;
      expectedAlerts = 1;
      await redrive(env);
      await env.drainOperations();
    }
    const injected =
      (env.sim.stats.byStatus['429'] ?? 0) -
      (statusBefore['429'] ?? 0) +
      (env.sim.stats.byStatus['503'] ?? 0) -
      (statusBefore['503'] ?? 0) +
      (plan === 'outage' ? 2 * chunks : 0);
    const ledger = state.ledger.summary('lock', targets);
    const { email } = await env.readAlerts();
    const { delivered, duplicated } = countAlerts(email);
    return {
      scenario: `Knox ${plan} at ${devices.toLocaleString('en-US')} devices`,
      faultsInjected: injected,
      alertsExpected: expectedAlerts,
      alertsDelivered: delivered,
      alertsDuplicated: duplicated,
      devicesExpected: ledger.expected,
      devicesExecuted: ledger.executed,
      devicesDuplicated: ledger.duplicated,
      subjects: email.map((message) => message.subject ?? ''),
    };
  } finally {
    for (const close of closers) await close();
    await env.close();
  }
}

let scenarioCount = 0;

/** The first `count` generated Enrolled devices without SIM control (a lock of those always applies). */
function enrolledWithoutSimControl(env: EmbeddedStack, count: number): string[] {
  const ids: string[] = [];
  for (const device of env.sim.state.devices.scan({ status: [DeviceStatus.enrolled] })) {
    if (device.simControlEnabled) continue;
    ids.push(device.deviceUid);
    if (ids.length === count) return ids;
  }
  throw new Error(`the seeded tenant has only ${ids.length} Enrolled devices without SIM control`);
}

async function putTargets(env: EmbeddedStack, ids: readonly string[]): Promise<void> {
  const s3 = new S3Client(env.aws.clientConfig('s3'));
  try {
    await s3.send(
      new PutObjectCommand({
        Bucket: env.stack.bucket,
        Key: 'overdue/latest.csv',
        Body: `deviceUid\n${ids.join('\n')}\n`,
      }),
    );
  } finally {
    s3.destroy();
  }
}

/** Moves every message of the operations DLQ back to the queue (the console's "redrive"). */
async function redrive(env: EmbeddedStack): Promise<number> {
  const sqs = new SQSClient(env.aws.clientConfig('sqs'));
  let moved = 0;
  try {
    for (;;) {
      const { Messages } = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: env.stack.dlqUrl,
          MaxNumberOfMessages: 10,
          WaitTimeSeconds: 0,
        }),
      );
      if (!Messages || Messages.length === 0) return moved;
      // One by one: ten chunk messages of 10,000 ids exceed SendMessageBatch's 1 MiB.
      for (const message of Messages) {
        await sqs.send(
          new SendMessageCommand({ QueueUrl: env.stack.queueUrl, MessageBody: message.Body ?? '' }),
        );
      }
      await sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: env.stack.dlqUrl,
          Entries: Messages.map((message, index) => ({
            Id: String(index),
            ReceiptHandle: message.ReceiptHandle,
          })),
        }),
      );
      moved += Messages.length;
    }
  } finally {
    sqs.destroy();
  }
}
