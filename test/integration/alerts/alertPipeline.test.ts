import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { PublishBatchCommandInput, PublishBatchCommandOutput, SNSClient } from '@aws-sdk/client-sns';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDynamoAlertStateStore, loadAlertRules, type RunObservation } from '../../../lib/alerts';
import { AlertPublishError } from '../../../lib/alerts/errors';
import { gsm7Length } from '../../../lib/alerts/gsm7';
import {
  createAlertStateTable,
  createAlertTopic,
  createInbox,
  type LocalAws,
  readInbox,
  startLocalAws,
} from '../../../local/aws';
import { createWorker, failures, HOUR, imei, MINUTE, settableClock, T0 } from '../../helpers/awsAlerts';

let local: LocalAws;
let counter = 0;

beforeAll(async () => {
  local = await startLocalAws();
});

afterAll(async () => {
  await local?.close();
});

/** A fresh table, topic and inbox per test, so tests cannot see each other's state or messages. */
async function setUp(filterPolicies: Record<string, Record<string, unknown>> = {}) {
  counter += 1;
  const tableName = `alert-state-${counter}`;
  await createAlertStateTable(local, tableName);
  const topicArn = await createAlertTopic(local, `alerts-${counter}`);
  const inbox = await createInbox(local, { topicArn, name: `inbox-${counter}` });
  const filtered: Record<string, string> = {};
  for (const [name, filterPolicy] of Object.entries(filterPolicies)) {
    filtered[name] = (
      await createInbox(local, { topicArn, name: `${name}-${counter}`, filterPolicy })
    ).queueUrl;
  }
  return { tableName, topicArn, inbox, filtered };
}

/** Runs `workers` concurrent `process` calls, each with its own clients, as chunked Lambda workers do. */
async function runConcurrently(
  env: { tableName: string; topicArn: string },
  clock: { now(): number },
  observations: readonly RunObservation[],
) {
  return Promise.all(
    observations.map(async (observation) => {
      const worker = createWorker({ local, ...env, clock });
      try {
        return await worker.pipeline.process(observation);
      } finally {
        worker.destroy();
      }
    }),
  );
}

function licenceRun(runId: string, workers = 20, perWorker = 500): RunObservation[] {
  return Array.from({ length: workers }, (_, index) => ({
    stage: 'prod',
    job: 'overdue-lock',
    runId,
    operation: 'lock',
    failures: failures('LICENSE_IS_LACK', perWorker, index * perWorker),
    successes: 0,
  }));
}

function cleanRun(runId: string, workers = 20): RunObservation[] {
  return Array.from({ length: workers }, () => ({
    stage: 'prod',
    job: 'overdue-lock',
    runId,
    failures: [],
    successes: 500,
  }));
}

describe('alert pipeline against local SNS, SQS and DynamoDB', () => {
  it('binds the local servers to 127.0.0.1', () => {
    for (const endpoint of Object.values(local.endpoints))
      expect(endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('sends one alert for 10,000 failures from 20 workers, one reminder, then one resolved message', async () => {
    // Prepare
    const env = await setUp();
    const clock = settableClock(T0);

    // Act + Assess: first run
    const reports = await runConcurrently(env, clock, licenceRun('run-1'));
    const first = await readInbox(local, env.inbox.queueUrl);
    expect(first).toHaveLength(1);
    const alert = first[0];
    expect(alert?.subject).toContain('LICENSE_IS_LACK');
    // LICENSE_IS_LACK is tenant-wide: one group across jobs, named by the jobs that saw it.
    expect(alert?.subject).toMatch(
      /^\[KG prod\] CRITICAL LICENSE_IS_LACK: tenant-wide, [\d,]+ devices - overdue-lock$/,
    );
    expect(alert?.attributes).toMatchObject({
      severity: 'critical',
      code: 'LICENSE_IS_LACK',
      stage: 'prod',
      job: '*',
      category: 'license',
      kind: 'firing',
    });
    expect(alert?.email).toContain('Add or extend Knox Guard licences');
    expect(alert?.email).toMatch(/Sample devices \(masked\): 35\*{9}\d{4}/);
    expect(alert?.email).not.toMatch(/\d{15}/);
    expect(gsm7Length(alert?.sms ?? '')).toBeLessThanOrEqual(160);
    expect(reports.flatMap((r) => r.groups).filter((g) => g.outcome === 'sent')).toHaveLength(1);

    // a second run within the repeat interval sends nothing
    clock.set(T0 + HOUR);
    await runConcurrently(env, clock, licenceRun('run-2'));
    expect(await readInbox(local, env.inbox.queueUrl)).toHaveLength(0);

    // a run after the repeat interval sends one reminder
    clock.set(T0 + 4 * HOUR + MINUTE);
    await runConcurrently(env, clock, licenceRun('run-3'));
    const reminders = await readInbox(local, env.inbox.queueUrl);
    expect(reminders).toHaveLength(1);
    expect(reminders[0]?.subject).toContain('STILL FAILING LICENSE_IS_LACK');
    expect(reminders[0]?.attributes.kind).toBe('reminder');

    // a clean run after the quiet period sends one resolved message
    clock.set(T0 + 5 * HOUR);
    await runConcurrently(env, clock, cleanRun('run-4'));
    const resolved = await readInbox(local, env.inbox.queueUrl);
    expect(resolved).toHaveLength(1);
    expect(resolved[0]?.subject).toBe(
      '[KG prod] RESOLVED LICENSE_IS_LACK: tenant-wide, cleared - overdue-lock',
    );
    expect(resolved[0]?.attributes.kind).toBe('resolved');

    // and another clean run sends nothing more
    clock.set(T0 + 6 * HOUR);
    await runConcurrently(env, clock, cleanRun('run-5'));
    expect(await readInbox(local, env.inbox.queueUrl)).toHaveLength(0);
  });

  it('sends two reminders of a 63-character job in one PublishBatch with distinct entry Ids', async () => {
    // Prepare: jobs.yml allows 63-character names; "reminder-<job>-LICENSE_" is 80 characters for
    // both codes, so ids cut to 80 would collide and SNS would refuse the whole call.
    const env = await setUp();
    const clock = settableClock(T0);
    const job = `overdue-lock-${'x'.repeat(50)}`;
    expect(job).toHaveLength(63);
    const entryIds: string[][] = [];
    const recordIds = (client: SNSClient) => {
      client.middlewareStack.add(
        (next, context) => async (args) => {
          if (context.commandName === 'PublishBatchCommand') {
            const input = args.input as PublishBatchCommandInput;
            entryIds.push((input.PublishBatchRequestEntries ?? []).map((entry) => entry.Id ?? ''));
          }
          return next(args);
        },
        { step: 'initialize', name: 'recordEntryIds' },
      );
    };
    const worker = createWorker({ local, ...env, clock, configureSns: recordIds, maxAttempts: 2 });
    const run = (runId: string): RunObservation => ({
      stage: 'prod',
      job,
      runId,
      failures: [...failures('LICENSE_IS_LACK', 2), ...failures('LICENSE_MAX_COUNT_REACHED', 2, 10)],
      successes: 0,
    });

    // Act
    await worker.pipeline.process(run('run-1'));
    const firing = await readInbox(local, env.inbox.queueUrl);
    clock.set(T0 + 4 * HOUR + MINUTE);
    await worker.pipeline.process(run('run-2'));
    const reminders = await readInbox(local, env.inbox.queueUrl);
    worker.destroy();

    // Assess: both reminders arrived, from one call whose entry Ids are distinct
    expect(firing.map((m) => m.attributes.code).sort()).toEqual([
      'LICENSE_IS_LACK',
      'LICENSE_MAX_COUNT_REACHED',
    ]);
    expect(reminders.map((m) => m.attributes.kind)).toEqual(['reminder', 'reminder']);
    expect(reminders.map((m) => m.attributes.code).sort()).toEqual([
      'LICENSE_IS_LACK',
      'LICENSE_MAX_COUNT_REACHED',
    ]);
    expect(entryIds).toHaveLength(2);
    for (const ids of entryIds) expect(new Set(ids).size).toBe(ids.length);
  });

  it('does not resolve while a run is still failing in other chunks (no flapping)', async () => {
    const env = await setUp();
    const clock = settableClock(T0);
    await runConcurrently(env, clock, licenceRun('run-1', 2, 10));
    expect(await readInbox(local, env.inbox.queueUrl)).toHaveLength(1);

    clock.set(T0 + 5 * MINUTE);
    await runConcurrently(env, clock, [...cleanRun('run-2', 3), ...licenceRun('run-2', 2, 10)]);
    expect(await readInbox(local, env.inbox.queueUrl)).toHaveLength(0);
  });

  it('sends nothing for a silenced code', async () => {
    const env = await setUp();
    const clock = settableClock(T0);
    const rules = loadAlertRules({
      silences: [
        { code: 'LICENSE_IS_LACK', job: 'overdue-lock', until: '2026-12-01T00:00:00Z', comment: 'PO-1234' },
      ],
    });
    const worker = createWorker({ local, ...env, clock, rules });
    const report = await worker.pipeline.process(licenceRun('run-1', 1, 50)[0] as RunObservation);
    worker.destroy();
    expect(report.groups).toEqual([
      expect.objectContaining({ codeName: 'LICENSE_IS_LACK', outcome: 'suppressed', reason: 'silenced' }),
    ]);
    expect(await readInbox(local, env.inbox.queueUrl)).toHaveLength(0);
  });

  it('routes only critical alerts to a subscription with a severity=critical filter policy', async () => {
    const env = await setUp({ sms: { severity: ['critical'] } });
    const clock = settableClock(T0);
    const worker = createWorker({ local, ...env, clock });
    await worker.pipeline.process({
      stage: 'prod',
      job: 'payment-reminder',
      runId: 'run-1',
      failures: [...failures('LICENSE_IS_LACK', 3), ...failures('PROFILE_NOT_FOUND', 2, 100)],
      successes: 0,
    });
    worker.destroy();
    const email = await readInbox(local, env.inbox.queueUrl);
    const sms = await readInbox(local, env.filtered.sms as string);
    expect(email.map((m) => m.attributes.code).sort()).toEqual(['LICENSE_IS_LACK', 'PROFILE_NOT_FOUND']);
    expect(sms.map((m) => m.attributes.code)).toEqual(['LICENSE_IS_LACK']);
    expect(sms[0]?.attributes.severity).toBe('critical');
  });

  it('retries throttling and PublishBatch partial failures without losing or doubling an alert', async () => {
    const env = await setUp();
    const clock = settableClock(T0);
    const sleeps: number[] = [];
    const calls: string[] = [];
    const injectFaults = (client: SNSClient) => {
      client.middlewareStack.add(
        (next, context) => async (args) => {
          if (context.commandName !== 'PublishBatchCommand') return next(args);
          const input = args.input as PublishBatchCommandInput;
          calls.push(`call ${calls.length + 1}: ${input.PublishBatchRequestEntries?.length ?? 0} entries`);
          if (calls.length === 1) {
            throw Object.assign(new Error('Rate exceeded'), {
              name: 'Throttling',
              $metadata: { httpStatusCode: 400 },
            });
          }
          if (calls.length === 2) {
            // SNS accepts all but the first entry, and reports that one as failed (it was not published).
            const [dropped, ...kept] = input.PublishBatchRequestEntries ?? [];
            const result = await next({ ...args, input: { ...input, PublishBatchRequestEntries: kept } });
            const output = result.output as PublishBatchCommandOutput;
            output.Failed = [
              ...(output.Failed ?? []),
              { Id: dropped?.Id, Code: 'InternalError', Message: 'injected', SenderFault: false },
            ];
            return result;
          }
          return next(args);
        },
        { step: 'initialize', name: 'injectSnsFaults' },
      );
    };
    const worker = createWorker({ local, ...env, clock, configureSns: injectFaults, sleeps });
    const observation: RunObservation = {
      stage: 'prod',
      job: 'overdue-lock',
      runId: 'run-1',
      failures: [
        ...failures('LICENSE_IS_LACK', 5),
        ...failures('PRECONDITION_FAILED_EXCEPTION', 5, 10),
        ...failures('AUTHORIZATION_FAIL', 1, 20),
      ],
      successes: 0,
    };
    const report = await worker.pipeline.process(observation);
    expect(report.published).toBe(3);
    expect(calls).toEqual(['call 1: 3 entries', 'call 2: 3 entries', 'call 3: 1 entries']);
    expect(sleeps).toHaveLength(2);
    const inbox = await readInbox(local, env.inbox.queueUrl);
    expect(inbox.map((m) => m.attributes.code).sort()).toEqual([
      'AUTHORIZATION_FAIL',
      'LICENSE_IS_LACK',
      'PRECONDITION_FAILED_EXCEPTION',
    ]);

    // the same chunk again (a Lambda retry) sends nothing
    await worker.pipeline.process(observation);
    worker.destroy();
    expect(await readInbox(local, env.inbox.queueUrl)).toHaveLength(0);
  });

  it('throws AlertPublishError when SNS keeps throttling, and a retry sends the alert once', async () => {
    const env = await setUp();
    const clock = settableClock(T0);
    const alwaysThrottle = (client: SNSClient) => {
      client.middlewareStack.add(
        () => async () => {
          throw Object.assign(new Error('Rate exceeded'), {
            name: 'Throttling',
            $metadata: { httpStatusCode: 400 },
          });
        },
        { step: 'initialize', name: 'alwaysThrottle' },
      );
    };
    const observation = licenceRun('run-1', 1, 10)[0] as RunObservation;
    const broken = createWorker({ local, ...env, clock, configureSns: alwaysThrottle, maxAttempts: 3 });
    const error = await broken.pipeline.process(observation).catch((caught: unknown) => caught);
    broken.destroy();
    expect(error).toBeInstanceOf(AlertPublishError);
    expect((error as AlertPublishError).name).toBe('AlertPublishError');
    expect((error as AlertPublishError).cause).toMatchObject({ name: 'Throttling' });
    expect(await readInbox(local, env.inbox.queueUrl)).toHaveLength(0);

    const healthy = createWorker({ local, ...env, clock });
    await healthy.pipeline.process(observation);
    await healthy.pipeline.process(observation);
    healthy.destroy();
    expect(await readInbox(local, env.inbox.queueUrl)).toHaveLength(1);
  });

  it('counts a chunk redelivered after a failed PublishBatch once, in the alert and in the digest', async () => {
    // Prepare: chunk 0 of a fanned-out run, 31 LICENSE_IS_LACK (alert) and 3 DEVICE_NOT_FOUND
    // (digest); SNS refuses the first worker's PublishBatch.
    const env = await setUp();
    const clock = settableClock(T0);
    const chunk = (index: number, offset: number): RunObservation => ({
      stage: 'prod',
      job: 'overdue-lock',
      runId: 'run-1',
      contribution: `${index}.0`,
      failures: [
        ...failures('LICENSE_IS_LACK', 31, offset),
        ...failures('DEVICE_NOT_FOUND', 3, offset + 100),
      ],
      successes: 0,
    });
    const failPublish = (client: SNSClient) => {
      client.middlewareStack.add(
        () => async () => {
          throw Object.assign(new Error('injected'), {
            name: 'InternalError',
            $metadata: { httpStatusCode: 500 },
          });
        },
        { step: 'initialize', name: 'failPublish' },
      );
    };
    const broken = createWorker({ local, ...env, clock, configureSns: failPublish, maxAttempts: 1 });
    await expect(broken.pipeline.process(chunk(0, 0))).rejects.toBeInstanceOf(AlertPublishError);
    broken.destroy();

    // Act: SQS redelivers chunk 0 twice more, then chunk 1 arrives; the run completes.
    const healthy = createWorker({ local, ...env, clock });
    await healthy.pipeline.process(chunk(0, 0));
    await healthy.pipeline.process(chunk(0, 0));
    const afterRedeliveries = await healthy.pipeline.process(chunk(1, 1000));
    await healthy.pipeline.flush({ stage: 'prod', job: 'overdue-lock', runId: 'run-1' });
    healthy.destroy();

    // Assess: 31 in the alert, 62 once chunk 1 adds its own (the run-complete update says so);
    // the digest 6 (3 per chunk), not 9 or 12.
    const messages = await readInbox(local, env.inbox.queueUrl);
    expect(messages.map((message) => message.subject).sort()).toEqual([
      '[KG prod] CRITICAL LICENSE_IS_LACK: tenant-wide, 31 devices - overdue-lock',
      '[KG prod] Digest: 6 devices failed (1 code) - overdue-lock',
      '[KG prod] FINAL COUNT LICENSE_IS_LACK: tenant-wide, 62 devices - overdue-lock',
    ]);
    expect(afterRedeliveries.groups.find((group) => group.codeName === 'LICENSE_IS_LACK')).toMatchObject({
      devices: 31,
    });
    const dynamo = new DynamoDBClient(local.clientConfig('dynamodb'));
    const store = createDynamoAlertStateStore({ client: dynamo, tableName: env.tableName });
    const state = await store.getGroup({ stage: 'prod', job: '*', codeName: 'LICENSE_IS_LACK' });
    dynamo.destroy();
    expect(state?.runCount).toBe(62);
  });

  it('folds per-device codes into one digest per run, sent once', async () => {
    const env = await setUp();
    const clock = settableClock(T0);
    const chunk = (offset: number): RunObservation => ({
      stage: 'prod',
      job: 'overdue-lock',
      runId: 'run-1',
      failures: [
        ...failures('DEVICE_NOT_FOUND', 30, offset),
        ...failures('DEVICE_STATE_INVALID', 5, offset + 1000),
      ],
      successes: 10,
    });
    await runConcurrently(env, clock, [chunk(0), chunk(100), chunk(200)]);
    expect(await readInbox(local, env.inbox.queueUrl)).toHaveLength(0);

    const worker = createWorker({ local, ...env, clock });
    await Promise.all([
      worker.pipeline.flush({ stage: 'prod', job: 'overdue-lock', runId: 'run-1' }),
      worker.pipeline.flush({ stage: 'prod', job: 'overdue-lock', runId: 'run-1' }),
    ]);
    // the next run starting does not send run-1's digest again
    clock.set(T0 + HOUR);
    await worker.pipeline.process({ ...chunk(0), runId: 'run-2' });
    worker.destroy();
    const digests = await readInbox(local, env.inbox.queueUrl);
    expect(digests).toHaveLength(1);
    expect(digests[0]?.subject).toBe('[KG prod] Digest: 105 devices failed (2 codes) - overdue-lock');
    expect(digests[0]?.email).toContain('DEVICE_NOT_FOUND (4040300): 90 devices');
    expect(digests[0]?.email).not.toContain(imei(0));
  });
});
