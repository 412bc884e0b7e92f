// Fault injection on the alert path (issue 13.7, 13.8): real SDK clients, dynalite behind a fault
// proxy, fauxqs SNS with an SQS inbox. Counts are of messages that reached the inbox.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SNSClient } from '@aws-sdk/client-sns';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createAlertPipeline,
  createDynamoAlertStateStore,
  createSnsAlertPublisher,
  loadAlertRules,
  type RunObservation,
} from '../../../lib/alerts';
import type { AlertStateStore } from '../../../lib/alerts/AlertStateStore';
import { type LocalAws, readInbox, startLocalAws } from '../../../local/aws';
import { createAlertStack, failures, MINUTE, settableClock, T0 } from '../../helpers/awsAlerts';
import { type FaultProxy, startFaultProxy } from '../../helpers/faultProxy';

let local: LocalAws;
let proxy: FaultProxy;

beforeAll(async () => {
  local = await startLocalAws();
  proxy = await startFaultProxy(local.endpoints.dynamodb);
});

afterAll(async () => {
  await proxy?.close();
  await local?.close();
});

const setUp = () => createAlertStack(local, 'delivery');

/** One Lambda environment: its own clients; DynamoDB reached through the fault proxy. */
function environment(
  env: { tableName: string; topicArn: string },
  options: {
    clock: { now(): number };
    remainingTime?: () => number;
    wrap?: (store: AlertStateStore) => AlertStateStore;
  },
) {
  const dynamo = new DynamoDBClient({
    ...local.clientConfig('dynamodb'),
    endpoint: proxy.url,
    maxAttempts: 2,
  });
  const sns = new SNSClient({ ...local.clientConfig('sns'), maxAttempts: 1 });
  const store = createDynamoAlertStateStore({ client: dynamo, tableName: env.tableName });
  const pipeline = createAlertPipeline({
    rules: loadAlertRules({}),
    store: options.wrap ? options.wrap(store) : store,
    publisher: createSnsAlertPublisher({ client: sns, topicArn: env.topicArn, sleep: async () => {} }),
    clock: options.clock,
    sleep: async () => {},
    ...(options.remainingTime ? { remainingTime: options.remainingTime } : {}),
  });
  const destroy = () => {
    dynamo.destroy();
    sns.destroy();
  };
  return { pipeline, store, destroy };
}

const run = (runId: string): RunObservation => ({
  stage: 'prod',
  job: 'overdue-lock',
  runId,
  operation: 'lock',
  failures: failures('LICENSE_IS_LACK', 31),
  successes: 0,
});
// LICENSE_IS_LACK is tenant-wide: one group per stage and code across jobs (job `*`).
const KEY = { stage: 'prod', job: '*', codeName: 'LICENSE_IS_LACK' };

describe('alert delivery under faults', () => {
  it('a retry 60 s after a crash between claim and publish sends the alert, exactly once', async () => {
    // Prepare: the first try holds the claim, then "dies" before its publish (it never goes on).
    const env = await setUp();
    const claimed: number[] = [];
    const crashed = environment(env, {
      clock: settableClock(T0),
      remainingTime: () => 30_000,
      wrap: (store) => ({
        ...store,
        claim: async (key, input) => {
          const ok = await store.claim(key, input);
          if (ok) claimed.push(input.until);
          return ok;
        },
        markPublishing: () => new Promise<boolean>(() => {}),
      }),
    });
    void crashed.pipeline.process(run('run-1'));
    for (let i = 0; i < 200 && claimed.length === 0; i += 1) await new Promise((r) => setTimeout(r, 10));
    expect(claimed).toHaveLength(1);
    // The lease ends with the invocation (30 s left) plus a small margin, before Lambda's +1 min retry.
    expect(claimed[0]).toBeLessThanOrEqual(T0 + 32_000);

    // Act: Lambda's first async retry, one minute later, in a fresh environment.
    const retry = environment(env, { clock: settableClock(T0 + MINUTE), remainingTime: () => 30_000 });
    const report = await retry.pipeline.process(run('run-1'));

    // Assess
    expect(report.published).toBe(1);
    const inbox = await readInbox(local, env.inbox.queueUrl);
    expect(inbox).toHaveLength(1);
    expect(inbox[0]?.attributes.kind).toBe('firing');
    crashed.destroy();
    retry.destroy();
  });

  it('the sent marker lost after SNS accepted: one alert across the run and the next', async () => {
    // Prepare: dynalite refuses every write of the sent marker (markNotified) during run 1.
    const env = await setUp();
    const isSentMarker = (body: string) =>
      body.includes(env.tableName) &&
      body.includes('ADD notifications') &&
      body.includes('lastNotifiedAt = :now');
    proxy.setRule((request) =>
      request.target.endsWith('.UpdateItem') && isSentMarker(request.body) ? '500' : undefined,
    );
    const first = environment(env, { clock: settableClock(T0), remainingTime: () => 60_000 });

    // Act: run 1 publishes, cannot mark it sent; run 2 (next day's schedule, proxy healed) follows.
    let report1: Awaited<ReturnType<typeof first.pipeline.process>>;
    try {
      report1 = await first.pipeline.process(run('run-1'));
    } finally {
      proxy.setRule(() => undefined);
    }
    const injected = proxy.injected.filter((r) => isSentMarker(r.body)).length;
    const second = environment(env, { clock: settableClock(T0 + 10 * MINUTE), remainingTime: () => 60_000 });
    const report2 = await second.pipeline.process(run('run-2'));

    // Assess
    expect(injected).toBeGreaterThanOrEqual(5); // every try of the marker (5 tries x SDK attempts) failed
    expect(report1.published).toBe(1);
    expect(report2.published).toBe(0);
    const inbox = await readInbox(local, env.inbox.queueUrl);
    expect(inbox.map((m) => m.attributes.kind)).toEqual(['firing']);
    const state = await second.store.getGroup(KEY);
    expect(state).toMatchObject({ notifications: 1, lastNotifiedAt: T0, notifiedKind: 'firing' });
    expect(state?.publishing).toBeUndefined();
    first.destroy();
    second.destroy();
  });

  it('a sent marker that fails once is written by its retry, with nothing left to settle', async () => {
    // Prepare
    const env = await setUp();
    let failedOnce = false;
    proxy.setRule((request) => {
      if (failedOnce || !request.body.includes(env.tableName) || !request.body.includes('ADD notifications'))
        return undefined;
      failedOnce = true;
      return 'drop-after';
    });
    const worker = environment(env, { clock: settableClock(T0), remainingTime: () => 60_000 });

    // Act
    const report = await worker.pipeline.process(run('run-1'));
    proxy.setRule(() => undefined);

    // Assess: the dropped answer hid a write dynalite had made; the retry's condition then fails,
    // which is also "sent" here: the group is marked once.
    expect(failedOnce).toBe(true);
    expect(report.published).toBe(1);
    expect(await readInbox(local, env.inbox.queueUrl)).toHaveLength(1);
    expect(await worker.store.getGroup(KEY)).toMatchObject({ notifications: 1, lastNotifiedAt: T0 });
    worker.destroy();
  });

  it('the "publishing" write fails: nothing is sent, the claim is given back, the retry sends once', async () => {
    // Prepare
    const env = await setUp();
    proxy.setRule((request) =>
      request.body.includes(env.tableName) && request.body.includes('publishingKind = :kind')
        ? '500'
        : undefined,
    );
    const first = environment(env, { clock: settableClock(T0), remainingTime: () => 60_000 });

    // Act
    const failed = await first.pipeline.process(run('run-1')).then(
      () => undefined,
      (error: Error) => error,
    );
    const sentBefore = (await readInbox(local, env.inbox.queueUrl)).length;
    proxy.setRule(() => undefined);
    const retry = environment(env, { clock: settableClock(T0 + MINUTE), remainingTime: () => 60_000 });
    const report = await retry.pipeline.process(run('run-1'));

    // Assess
    expect(failed?.name).toBe('AlertStateError');
    expect(sentBefore).toBe(0);
    expect(report.published).toBe(1);
    expect(await readInbox(local, env.inbox.queueUrl)).toHaveLength(1);
    first.destroy();
    retry.destroy();
  });

  it("a digest's sent marker lost after SNS accepted: the next flush does not send it again", async () => {
    // Prepare: DEVICE_NOT_FOUND goes to the run's digest.
    const env = await setUp();
    const digestRun = { stage: 'prod', job: 'overdue-lock', runId: 'run-1' };
    proxy.setRule((request) =>
      request.body.includes(env.tableName) && request.body.includes('SET sentAt = :now') ? '500' : undefined,
    );
    const first = environment(env, { clock: settableClock(T0), remainingTime: () => 60_000 });
    await first.pipeline.process({ ...run('run-1'), failures: failures('DEVICE_NOT_FOUND', 3) });

    // Act
    const flushed = await first.pipeline.flush(digestRun);
    proxy.setRule(() => undefined);
    const again = environment(env, { clock: settableClock(T0 + 10 * MINUTE), remainingTime: () => 60_000 });
    const second = await again.pipeline.flush(digestRun);

    // Assess
    expect(flushed.published).toBe(1);
    expect(second.published).toBe(0);
    const inbox = await readInbox(local, env.inbox.queueUrl);
    expect(inbox.map((m) => m.attributes.kind)).toEqual(['digest']);
    first.destroy();
    again.destroy();
  });
});
