// End to end (issue 14.2, "the failed-device list"): the packaged handlers write each chunk's
// failed devices as CSV to the run-reports bucket of the local S3 (fauxqs), and the alert and the
// digest e-mails name where it is. Read back with the S3 SDK and parsed with csv-parse:
// - an inline run: one object with exactly the failed devices, named in the LICENSE_IS_LACK alert
//   and in the DEVICE_NOT_FOUND digest;
// - a fanned-out run: one object per chunk; a chunk SQS redelivers rewrites its own object;
// - a bucket that refuses the write: the alerts still go out and say the list is missing.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DeleteBucketCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { parse as parseCsv } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { DeviceStatus } from '../../lib/knox';
import { RUN_REPORT_COLUMNS, runReportConsoleUrl, runReportPrefix } from '../../lib/operations/runReport';
import { type EmbeddedStack, startEmbeddedStack } from '../../local/embedded';

const STAGE = 'e2e';
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** A 15-digit IMEI with a valid Luhn check digit, in a TAC range the simulator never issues. */
function unknownImei(n: number): string {
  const body = `49${String(n).padStart(12, '0')}`;
  let sum = 0;
  for (let i = 0; i < body.length; i += 1) {
    let digit = Number(body[body.length - 1 - i]);
    if (i % 2 === 0) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return `${body}${(10 - (sum % 10)) % 10}`;
}

let env: EmbeddedStack;
let dir: string;
let s3: S3Client;
const pending: string[] = [];
const inlineIds = [1, 2, 3, 4].map(unknownImei);
const fanoutIds = Array.from({ length: 15 }, (_, i) => unknownImei(100 + i));

async function put(key: string, ids: readonly string[]) {
  await s3.send(
    new PutObjectCommand({ Bucket: env.stack.bucket, Key: key, Body: `deviceUid\n${ids.join('\n')}\n` }),
  );
}

async function listKeys(prefix: string): Promise<string[]> {
  const answer = await s3.send(new ListObjectsV2Command({ Bucket: env.stack.reportsBucket, Prefix: prefix }));
  return (answer.Contents ?? []).map((object) => object.Key ?? '').sort();
}

async function readRows(key: string): Promise<string[][]> {
  const answer = await s3.send(new GetObjectCommand({ Bucket: env.stack.reportsBucket, Key: key }));
  const rows = parseCsv(await (answer.Body as { transformToString(): Promise<string> }).transformToString());
  return rows as string[][];
}

/** Where the e-mails must say a run's lists are. */
function expectedLine(job: string, runId: string): string {
  const prefix = runReportPrefix({ job, runId });
  const url = runReportConsoleUrl({ region: env.aws.region, bucket: env.stack.reportsBucket, prefix });
  return `Failed-device list (CSV): s3://${env.stack.reportsBucket}/${prefix} - ${url}`;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kgs-e2e-reports-'));
  env = await startEmbeddedStack({
    stage: STAGE,
    simulator: { seed: { devices: 10, spareSeats: 0 } },
    distDir: join(dir, 'dist'),
    logLevel: 'CRITICAL',
  });
  const shipped = parse(await readFile(new URL('../../config/jobs.yml', import.meta.url), 'utf8'));
  for (let i = 0; i < 3; i += 1)
    pending.push(env.sim.state.addDevice({ status: DeviceStatus.pending }).deviceUid);
  // A JSON copy of the jobs (a bundle in a temporary folder cannot require the YAML parser).
  const jobs = {
    defaults: shipped.defaults,
    jobs: {
      'overdue-lock': {
        operation: 'lock',
        targets: { source: 's3', key: 'overdue/inline.csv' },
        message: 'Your instalment is overdue.',
        contact: { tel: '+49 30 1234567' },
        chunkSize: 10,
        inlineLimit: 1000,
      },
      'fanout-lock': {
        operation: 'lock',
        targets: { source: 's3', key: 'overdue/fanout.csv' },
        message: 'Your instalment is overdue.',
        contact: { tel: '+49 30 1234567' },
        chunkSize: 5,
        inlineLimit: 0,
      },
      'approve-new': {
        operation: 'approve',
        targets: { source: 'inline', deviceUids: pending },
      },
    },
  };
  await writeFile(join(dir, 'jobs.json'), JSON.stringify(jobs));
  process.env.JOBS_CONFIG_PATH = join(dir, 'jobs.json');
  s3 = new S3Client({ ...env.aws.clientConfig('s3'), forcePathStyle: true });
  await put('overdue/inline.csv', inlineIds);
  await put('overdue/fanout.csv', fanoutIds);
}, 180_000);

afterAll(async () => {
  s3?.destroy();
  await env?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('run reports in the local S3', () => {
  it('an inline run writes exactly its failed devices and the digest names the list', async () => {
    // Act
    const summary = (await env.runSchedule('overdue-lock', new Date('2026-11-30T07:00:00Z'))) as {
      runId: string;
      failuresByCode: Record<string, number>;
      report?: { location: string; unwritten?: number };
    };
    // Assess: one object, the four unknown IMEIs in target order, unmasked, with code and time.
    expect(summary.failuresByCode).toEqual({ DEVICE_NOT_FOUND: 4 });
    const prefix = runReportPrefix({ job: 'overdue-lock', runId: summary.runId });
    expect(summary.report?.location).toBe(`s3://${env.stack.reportsBucket}/${prefix}`);
    expect(summary.report?.unwritten).toBeUndefined();
    expect(await listKeys(prefix)).toEqual([`${prefix}chunk-00000.csv`]);
    const [header, ...rows] = await readRows(`${prefix}chunk-00000.csv`);
    expect(header).toEqual([...RUN_REPORT_COLUMNS]);
    expect(rows.map(([id, code, name]) => [id, code, name])).toEqual(
      inlineIds.map((id) => [id, '4040300', 'DEVICE_NOT_FOUND']),
    );
    for (const row of rows) {
      expect(row[3]?.length).toBeGreaterThan(0);
      expect(row[4]).toMatch(ISO_UTC);
    }
    const { email, sms } = await env.readAlerts();
    expect(email.map((message) => message.attributes.kind)).toEqual(['digest']);
    expect(email[0]?.email).toContain(expectedLine('overdue-lock', summary.runId));
    for (const id of inlineIds) expect(email[0]?.email).not.toContain(id);
    for (const message of sms) expect(message.sms).not.toContain('s3://');
  });

  it('a LICENSE_IS_LACK alert e-mail names the key of its run and its console link', async () => {
    const summary = (await env.runSchedule('approve-new', new Date('2026-11-30T08:00:00Z'))) as {
      runId: string;
      failuresByCode: Record<string, number>;
    };
    expect(summary.failuresByCode).toEqual({ LICENSE_IS_LACK: 3 });
    const prefix = runReportPrefix({ job: 'approve-new', runId: summary.runId });
    const [, ...rows] = await readRows(`${prefix}chunk-00000.csv`);
    expect(rows.map(([id, , name]) => [id, name])).toEqual(pending.map((id) => [id, 'LICENSE_IS_LACK']));
    const { email, sms } = await env.readAlerts();
    const alert = email.find((message) => message.attributes.code === 'LICENSE_IS_LACK');
    expect(alert?.email).toContain(expectedLine('approve-new', summary.runId));
    expect(sms.length).toBeGreaterThan(0);
    for (const message of sms) expect(message.sms).not.toContain('console.aws');
  });

  it('a fanned-out run writes one object per chunk, and a redelivered chunk rewrites its own without duplicating rows', async () => {
    // Prepare: the worker's first delivery of chunk 1 is reported failed after it ran (as when
    // the invocation timed out at the end), so SQS redelivers it.
    const handlers = env.handlers as {
      operationWorker: (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;
    };
    const worker = handlers.operationWorker;
    let chunkOneDeliveries = 0;
    handlers.operationWorker = async (event, context) => {
      const response = await worker(event, context);
      const failures = [...(response?.batchItemFailures ?? [])];
      for (const record of event.Records) {
        if ((JSON.parse(record.body) as { chunk: number }).chunk !== 1) continue;
        chunkOneDeliveries += 1;
        if (chunkOneDeliveries === 1) failures.push({ itemIdentifier: record.messageId });
      }
      return { batchItemFailures: failures };
    };

    // Act
    let summary: { runId: string; mode: string; chunks: number; report?: { location: string } };
    try {
      summary = (await env.runSchedule('fanout-lock', new Date('2026-11-30T09:00:00Z'))) as typeof summary;
      await env.drainOperations({ concurrency: 1 });
    } finally {
      handlers.operationWorker = worker;
    }

    // Assess
    expect(summary).toMatchObject({ mode: 'queued', chunks: 3 });
    expect(chunkOneDeliveries).toBe(2);
    const prefix = runReportPrefix({ job: 'fanout-lock', runId: summary.runId });
    expect(summary.report?.location).toBe(`s3://${env.stack.reportsBucket}/${prefix}`);
    const keys = await listKeys(prefix);
    expect(keys).toEqual([0, 1, 2].map((n) => `${prefix}chunk-0000${n}.csv`));
    const perChunk = await Promise.all(keys.map(async (key) => (await readRows(key)).slice(1)));
    expect(perChunk.map((rows) => rows.length)).toEqual([5, 5, 5]);
    expect(perChunk.flat().map(([id]) => id)).toEqual(fanoutIds);
    const { email } = await env.readAlerts();
    const digest = email.find((message) => message.attributes.kind === 'digest');
    expect(digest?.email).toContain('DEVICE_NOT_FOUND (4040300): 15 devices');
    expect(digest?.email).toContain(expectedLine('fanout-lock', summary.runId));
  });

  it('a bucket that refuses the write loses no alert: the digest goes out and RUN_REPORT_UNWRITABLE says why', async () => {
    // Prepare: the reports bucket is gone (NoSuchBucket on every write).
    const keys = await listKeys('reports/');
    await s3.send(
      new DeleteObjectsCommand({
        Bucket: env.stack.reportsBucket,
        Delete: { Objects: keys.map((Key) => ({ Key })) },
      }),
    );
    await s3.send(new DeleteBucketCommand({ Bucket: env.stack.reportsBucket }));

    // Act
    const summary = (await env.runSchedule('overdue-lock', new Date('2026-11-30T10:00:00Z'))) as {
      runId: string;
      failuresByCode: Record<string, number>;
      report?: { unwritten?: number };
    };

    // Assess: the run finished, its summary and both e-mails say the list is missing.
    expect(summary.failuresByCode).toEqual({ DEVICE_NOT_FOUND: 4 });
    expect(summary.report?.unwritten).toBe(1);
    const { email } = await env.readAlerts();
    const unwritable = email.find((message) => message.attributes.code === 'RUN_REPORT_UNWRITABLE');
    expect(unwritable?.subject).toContain('RUN_REPORT_UNWRITABLE');
    expect(unwritable?.email).toContain('NoSuchBucket');
    expect(unwritable?.email).toContain('could not be written for this part of the run');
    const digest = email.find((message) => message.attributes.kind === 'digest');
    expect(digest?.email).toContain('DEVICE_NOT_FOUND (4040300): 4 devices');
  });
});
