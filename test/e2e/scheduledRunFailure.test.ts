// End to end: a scheduled run that keeps failing, through the packaged handlers and the local
// AWS servers, modelled as AWS runs it. EventBridge Scheduler invokes scheduledRun
// asynchronously; the run throws on every attempt (its Knox Guard credentials secret is broken),
// so Lambda retries it (serverless.yml maximumRetryAttempts) and then sends the invocation record
// to the on-failure queue; runFailures consumes that queue and the admins get ONE alert, read
// here from the SNS subscription queues standing in for their e-mail and phone.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serviceFailure } from '../../lib/errors';
import { AsyncInvocationFailedError, type EmbeddedStack, startEmbeddedStack } from '../../local/embedded';

// JSON, not YAML: the bundles built into a temporary folder cannot require the YAML parser.
const JOBS = {
  defaults: { chunkSize: 10, inlineLimit: 100 },
  jobs: {
    'overdue-lock': {
      operation: 'lock',
      targets: { source: 's3', key: 'overdue/latest.csv' },
      message: 'Your instalment is overdue.',
      contact: { tel: '+49 30 1234567' },
    },
    // A second job: its failed run is its own alert, not a repeat of overdue-lock's.
    'approve-pending': {
      operation: 'approve',
      targets: { source: 's3', key: 'approve/latest.csv' },
    },
  },
};

let env: EmbeddedStack;
let dir: string;
let sqs: SQSClient;

async function visibleOnFailureQueue(): Promise<number> {
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: env.stack.runFailures.queueUrl,
      AttributeNames: ['ApproximateNumberOfMessages'],
    }),
  );
  return Number(Attributes?.ApproximateNumberOfMessages ?? 0);
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kgs-e2e-run-failure-'));
  await writeFile(join(dir, 'jobs.json'), JSON.stringify(JOBS));
  env = await startEmbeddedStack({
    stage: 'e2e',
    simulator: { seed: { devices: 50 } },
    distDir: join(dir, 'dist'),
    logLevel: 'CRITICAL',
  });
  process.env.JOBS_CONFIG_PATH = join(dir, 'jobs.json');
  // The fault: the Knox Guard credentials secret holds no {clientIdentifier, certificate}, so
  // every attempt of every run throws before it reaches Knox Guard.
  process.env.KNOX_CREDENTIALS_JSON = '{}';
  sqs = new SQSClient({ ...env.aws.clientConfig('sqs'), useQueueUrlAsEndpoint: false });
}, 120_000);

afterAll(async () => {
  sqs?.destroy();
  await env?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('a scheduled run that fails for good', () => {
  it('is retried as Lambda retries it, then its record goes to the on-failure queue', async () => {
    const retries = env.stack.scheduledRunAsync.maximumRetryAttempts;
    expect(retries).toBe(2);
    const failure = await env.runSchedule('overdue-lock', new Date('2026-11-25T07:00:00Z')).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(AsyncInvocationFailedError);
    expect((failure as AsyncInvocationFailedError).attempts).toBe(1 + retries);
    expect(((failure as Error).cause as Error).name).toBe('ServiceConfigError');
    expect(env.sim.stats.total).toBe(0);
    expect(await visibleOnFailureQueue()).toBe(1);
    // Nothing has reached the admins yet: the run itself alerted nothing.
    expect(await env.readAlerts()).toEqual({ email: [], sms: [] });
  });

  it('reaches the admins as one critical SCHEDULED_RUN_FAILED alert, by e-mail and SMS', async () => {
    const drained = await env.drainRunFailures();
    expect(drained).toMatchObject({ messages: 1, failedItems: 0, deadLettered: 0 });
    expect(await visibleOnFailureQueue()).toBe(0);

    const { email, sms } = await env.readAlerts();
    expect(email).toHaveLength(1);
    expect(sms).toHaveLength(1);
    const [alert] = email;
    expect(alert?.attributes).toEqual({
      severity: 'critical',
      code: 'SCHEDULED_RUN_FAILED',
      category: 'configuration',
      stage: 'e2e',
      // SCHEDULED_RUN_FAILED is job-scope: one group per (stage, job), never tenant-wide.
      job: 'overdue-lock',
      kind: 'firing',
    });
    expect(alert?.subject).toBe('[KG e2e] CRITICAL SCHEDULED_RUN_FAILED - overdue-lock');
    expect(alert?.email).not.toContain('tenant-wide');
    // A run, not devices: no "1 device" count.
    expect(alert?.email).not.toContain('Devices affected');
    expect(alert?.email).toContain('Job: overdue-lock');
    expect(alert?.email).toContain(
      'scheduled run overdue-lock failed for good after 3 attempt(s) (RetriesExhausted): ServiceConfigError: Invalid service environment: KNOX_CREDENTIALS_SECRET_ID',
    );
    expect(alert?.email).toContain('Latest run: overdue-lock@2026-11-25T07:00:00Z');
    expect(alert?.email).toContain(serviceFailure('SCHEDULED_RUN_FAILED', '').remediation);
    expect(sms[0]?.sms).toContain('SCHEDULED_RUN_FAILED');
    expect(sms[0]?.sms).toContain('overdue-lock');
    expect(sms[0]?.sms).not.toContain('tenant-wide');
  });

  it('a redelivered or repeated record of the same job does not alert again (deduplicated)', async () => {
    await expect(env.runSchedule('overdue-lock', new Date('2026-11-25T07:00:00Z'))).rejects.toBeInstanceOf(
      AsyncInvocationFailedError,
    );
    await expect(env.runSchedule('overdue-lock', new Date('2026-11-26T07:00:00Z'))).rejects.toBeInstanceOf(
      AsyncInvocationFailedError,
    );
    const drained = await env.drainRunFailures();
    expect(drained).toMatchObject({ messages: 2, failedItems: 0, deadLettered: 0 });
    expect(await env.readAlerts()).toEqual({ email: [], sms: [] });
  });

  it("another job's failed-for-good run is its own alert, sent while overdue-lock's still fires", async () => {
    await expect(env.runSchedule('approve-pending', new Date('2026-11-25T08:00:00Z'))).rejects.toBeInstanceOf(
      AsyncInvocationFailedError,
    );
    const drained = await env.drainRunFailures();
    expect(drained).toMatchObject({ messages: 1, failedItems: 0, deadLettered: 0 });
    const { email, sms } = await env.readAlerts();
    expect(email).toHaveLength(1);
    expect(sms).toHaveLength(1);
    const [alert] = email;
    expect(alert?.attributes).toMatchObject({
      code: 'SCHEDULED_RUN_FAILED',
      job: 'approve-pending',
      kind: 'firing',
    });
    expect(alert?.subject).toBe('[KG e2e] CRITICAL SCHEDULED_RUN_FAILED - approve-pending');
    expect(alert?.email).toContain('scheduled run approve-pending failed for good after 3 attempt(s)');
    expect(alert?.email).toContain('Latest run: approve-pending@2026-11-25T08:00:00Z');
    expect(alert?.email).not.toContain('overdue-lock');
    expect(sms[0]?.sms).toContain('Job approve-pending.');
    expect(sms[0]?.sms).not.toContain('tenant-wide');
  });
});
