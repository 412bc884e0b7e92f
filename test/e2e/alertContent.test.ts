// End to end, the alert-content rules (docs/alert-content.md) through the packaged handlers, real
// EventBridge Scheduler and SQS event shapes, the Knox Guard simulator and the local SNS/SQS/S3
// (fauxqs) and DynamoDB (dynalite): a fanned-out run's final count arrives when its last chunk is
// done, a tenant-wide code is one alert group across jobs, and every SMS ends at a word with its
// action.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDynamoAlertStateStore } from '../../lib/alerts';
import { knoxCode } from '../../lib/errors';
import { createDynamoRunTracker } from '../../lib/operations';
import type { InboxMessage } from '../../local/aws';
import { type EmbeddedStack, startEmbeddedStack } from '../../local/embedded';

// Chunks of 10 and no inline limit: overdue-lock's 40 devices fan out as 4 chunk messages.
const JOBS = `
defaults:
  chunkSize: 10
  inlineLimit: 0
jobs:
  approve-pending:
    operation: approve
    inlineLimit: 1000
    targets: { source: knox, filter: { status: [Pending] } }
  overdue-lock:
    operation: lock
    targets: { source: s3, key: overdue/latest.csv }
    message: Your instalment is overdue.
    contact: { tel: "+49 30 1234567" }
`;

let env: EmbeddedStack;
let dir: string;
const all: InboxMessage[] = [];

async function received() {
  const next = await env.readAlerts();
  all.push(...next.email, ...next.sms);
  return next;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kgs-e2e-alerts-'));
  const jobsPath = join(dir, 'jobs.yml');
  await writeFile(jobsPath, JOBS);
  env = await startEmbeddedStack({ stage: 'e2e', simulator: { seed: { devices: 400 } }, logLevel: 'ERROR' });
  process.env.JOBS_CONFIG_PATH = jobsPath;
  const overdue: string[] = [];
  for (const device of env.sim.state.devices.scan({ status: ['Enrolled'], simControlEnabled: false })) {
    if (overdue.length === 40) break;
    overdue.push(device.deviceUid);
  }
  const s3 = new S3Client(env.aws.clientConfig('s3'));
  await s3.send(
    new PutObjectCommand({
      Bucket: env.stack.bucket,
      Key: 'overdue/latest.csv',
      Body: `deviceUid\n${overdue.join('\n')}\n`,
    }),
  );
  s3.destroy();
}, 120_000);

afterAll(async () => {
  await env?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('alert content through the packaged handlers', () => {
  it('a fanned-out run alerts "10+ so far" and, when its last chunk is done, the exact final count', async () => {
    // Prepare: Knox refuses three of the four bulk requests with LICENSE_IS_LACK.
    env.sim.faults.push({
      path: 'lockAsync',
      times: 3,
      status: 400,
      body: JSON.stringify({
        result: 'FAIL',
        error: { code: 4001809, message: 'LICENSE_IS_LACK', reason: 'No available licence.' },
      }),
    });

    // Act: the scheduler queues 4 chunks; one worker at a time consumes them.
    const summary = (await env.runSchedule('overdue-lock', new Date('2026-11-25T07:00:00Z'))) as {
      mode: string;
      chunks: number;
      runId: string;
    };
    expect(summary).toMatchObject({ mode: 'queued', chunks: 4 });
    await env.drainOperations({ concurrency: 1 });

    // Assess: the first chunk's alert is a lower bound; the run's end brings the exact 30, the
    // number the run tracker summed over the chunks (what `npm start` prints as final totals).
    const dynamo = new DynamoDBClient(env.aws.clientConfig('dynamodb'));
    const totals = await createDynamoRunTracker({ client: dynamo, tableName: env.stack.tableName }).totals({
      stage: 'e2e',
      job: 'overdue-lock',
      runId: summary.runId,
    });
    dynamo.destroy();
    expect(totals).toMatchObject({
      complete: true,
      succeeded: 10,
      failed: 30,
      failuresByCode: { LICENSE_IS_LACK: 30 },
    });
    const { email, sms } = await received();
    expect(email.map((m) => m.attributes.kind)).toEqual(['firing', 'update']);
    expect(email[0]?.subject).toBe(
      '[KG e2e] CRITICAL LICENSE_IS_LACK: tenant-wide, 10+ devices - overdue-lock',
    );
    expect(email[1]?.subject).toBe(
      '[KG e2e] FINAL COUNT LICENSE_IS_LACK: tenant-wide, 30 devices - overdue-lock',
    );
    expect(email[1]?.email).toContain(
      `Devices affected: 30 devices in run ${summary.runId}, which has finished`,
    );
    expect(sms.map((m) => m.attributes.kind)).toEqual(['firing', 'update']);
    expect(sms[1]?.sms).toContain('LICENSE_IS_LACK, tenant-wide, 30 devices (final, was 10+).');
  });

  it('the same tenant-wide code seen by a second job joins the open group: no second alert, both jobs named', async () => {
    // Act: approve-pending runs into LICENSE_IS_LACK too (the tenant has few spare seats).
    const summary = (await env.runSchedule('approve-pending', new Date('2026-11-25T08:00:00Z'))) as {
      failuresByCode: Record<string, number>;
    };
    expect(summary.failuresByCode.LICENSE_IS_LACK).toBeGreaterThan(0);

    // Assess: nothing new for the admins (one condition, told minutes ago); the group knows both.
    const { email, sms } = await received();
    expect(email).toHaveLength(0);
    expect(sms).toHaveLength(0);
    const dynamo = new DynamoDBClient(env.aws.clientConfig('dynamodb'));
    const group = await createDynamoAlertStateStore({
      client: dynamo,
      tableName: env.stack.tableName,
    }).getGroup({
      stage: 'e2e',
      job: '*',
      codeName: 'LICENSE_IS_LACK',
    });
    dynamo.destroy();
    expect(group?.jobs).toEqual(['approve-pending', 'overdue-lock']);
    // overdue-lock's last chunk succeeded without the code: it no longer holds the group open.
    // approve-pending does, so the group cannot resolve until a run of it succeeds too.
    expect(group?.failingJobs).toEqual(['approve-pending']);
    expect(group?.status).toBe('active');
  });

  it('every SMS is one GSM-7 segment that ends at a word and keeps its action', () => {
    const texts = all.map((m) => m.sms);
    expect(texts.length).toBeGreaterThanOrEqual(4);
    const remedy = knoxCode('LICENSE_IS_LACK').remediation;
    const firstClause = remedy.split(/[,;]\s/)[0] ?? remedy;
    for (const text of texts) {
      expect(text.length).toBeLessThanOrEqual(160);
      expect(text).toMatch(/[A-Za-z0-9).]$/);
      expect(text).not.toMatch(/\w\.\.\.$/);
      expect(text).toContain(`Do: ${firstClause}`);
    }
  });
});
