import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { resolveJobsConfig } from '../../../lib/config';
import { DeviceStatus } from '../../../lib/knox';
import type { DrainResult } from '../../../local/embedded';
import { type EmbeddedStack, startEmbeddedStack } from '../../../local/embedded';
import { generatedDeviceUid } from '../../../local/simulator';
import { tableItemSizes } from '../../helpers/itemSize';

// A million-device tenant and the SHIPPED configuration, through the packaged handlers: the
// `overdue-lock` job exactly as config/jobs.yml defines it (its chunkSize from the file's
// defaults: 10,000), the rate limit and worker concurrency serverless.yml gives a stage without
// overrides (knoxRateLimitPerSecond, workerMaxConcurrency, workerBatchSize; the dev and ci stages),
// and KNOX_LATENCY_MS at its default. The simulated tenant allows exactly that rate.
//
// The billing system's file lists every Enrolled device (~600,000) plus 1,000 IMEIs Knox Guard does
// not know, so the exact outcome is known whatever else changes: every Enrolled device locked
// exactly once, 1,000 DEVICE_NOT_FOUND in the run's digest, and no stored item near DynamoDB's
// 400 KB limit. The scheduler reads the file and queues ~61 chunk messages; worker invocations
// with real SQS event shapes drain them, each environment with its own Knox Guard client and rate
// limiter. At 10 requests/s (2 workers x 2.3 requests/s, 2 requests per chunk) that is ~30 s.
// The second case pages the ~80,000 Pending devices for the shipped approve-pending job (Knox
// filter) at the scheduler's planned share, ~25 s.
const DEVICES = 1_000_000;
const UNKNOWN = 1_000;
const JOB = 'overdue-lock';

type WorkerHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;

/** 15-digit IMEIs with a valid Luhn digit in a TAC range the simulator never issues. */
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

describe('a 1,000,000-device tenant with the shipped configuration', () => {
  let env: EmbeddedStack;
  let rate: number;
  let workers: number;
  let chunkSize: number;
  const saved: Record<string, string | undefined> = {};

  beforeAll(async () => {
    env = await startEmbeddedStack({ simulator: { seed: { devices: DEVICES }, retryAfterSeconds: 1 } });
    // What a deployment of this stage gets from serverless.yml's params and config/jobs.yml.
    rate = Number(env.stack.params.knoxRateLimitPerSecond);
    workers = Number(env.stack.params.workerMaxConcurrency);
    const shipped = resolveJobsConfig(
      parse(await readFile(new URL('../../../config/jobs.yml', import.meta.url), 'utf8')),
      'local',
    );
    chunkSize = shipped.jobs.get(JOB)?.chunkSize ?? shipped.defaults.chunkSize;
    env.sim.state.limits.rateLimitPerSecond = rate;
    for (const [name, value] of Object.entries({ KNOX_RATE_LIMIT_PER_SECOND: String(rate) })) {
      saved[name] = process.env[name];
      process.env[name] = value;
    }
  }, 300_000);

  afterAll(async () => {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    await env?.close();
  });

  it('locks every listed Enrolled device exactly once within the rate limit, with bounded records and an exact digest', async () => {
    // Prepare: the shipped values this test relies on.
    expect(chunkSize).toBe(10_000);
    expect(rate).toBeGreaterThan(0);
    // Count every device operation the simulator applies, by generated device index.
    const applied = new Uint8Array(DEVICES);
    const state = env.sim.state;
    const apply = state.apply.bind(state);
    state.apply = (operation, id, params) => {
      const index = Number(id.slice(2, 14));
      if (id.startsWith('35') && index < DEVICES) applied[index] = Math.min(255, (applied[index] ?? 0) + 1);
      return apply(operation, id, params);
    };
    // The billing system's file: every Enrolled device, then the unknown ones.
    // The tenant has no SIM control policy, so a lock of a device with SIM control enabled is
    // answered PRECONDITION_FAILED_EXCEPTION (an alert, counted over the whole run).
    const enrolled: number[] = [];
    let simControlled = 0;
    for (let index = 0; index < DEVICES; index += 1) {
      const device = state.devices.get(generatedDeviceUid(index));
      if (device?.status !== DeviceStatus.enrolled) continue;
      enrolled.push(index);
      if (device.simControlEnabled) simControlled += 1;
    }
    const lines = ['deviceUid'];
    for (const index of enrolled) lines.push(generatedDeviceUid(index));
    for (let n = 0; n < UNKNOWN; n += 1) lines.push(unknownImei(n));
    const s3 = new S3Client(env.aws.clientConfig('s3'));
    await s3.send(
      new PutObjectCommand({
        Bucket: env.stack.bucket,
        Key: 'overdue/latest.csv',
        Body: `${lines.join('\n')}\n`,
      }),
    );
    s3.destroy();
    // One module instance per worker environment, as Lambda runs them: each its own Knox Guard
    // client, token and rate limiter. An invocation takes an idle environment, like Lambda does.
    const bundle = pathToFileURL(join(process.cwd(), 'dist/functions/operation-worker/index.mjs')).href;
    const idle: WorkerHandler[] = [];
    for (let i = 0; i < workers; i += 1) {
      idle.push(((await import(`${bundle}?environment=${i}`)) as { handler: WorkerHandler }).handler);
    }
    const handlers = env.handlers as { operationWorker: WorkerHandler };
    handlers.operationWorker = async (event, context) => {
      const handler = idle.pop();
      if (!handler) throw new Error('more concurrent invocations than worker environments');
      try {
        return await handler(event, context);
      } finally {
        idle.push(handler);
      }
    };

    // Act
    const summary = (await env.runSchedule(JOB)) as { mode: string; targets: number; chunks: number };
    const drained: DrainResult = await env.drainOperations();

    // Assess
    const targets = enrolled.length + UNKNOWN;
    expect(summary).toMatchObject({ mode: 'queued', targets, chunks: Math.ceil(targets / chunkSize) });
    expect(drained).toMatchObject({ messages: summary.chunks, failedItems: 0, delayed: 0, deadLettered: 0 });
    let once = 0;
    let other = 0;
    for (let index = 0; index < DEVICES; index += 1) {
      if (applied[index] === 1) once += 1;
      else if (applied[index] !== 0) other += 1;
    }
    expect(other).toBe(0);
    expect(once).toBe(enrolled.length);
    expect(env.sim.stats.byStatus['429']).toBeUndefined();
    expect(env.sim.stats.maxRequestsPerSecond).toBeLessThanOrEqual(rate);
    // Every stored item (chunk outcomes, run tracker, alert and digest state) stays small.
    const dynamo = new DynamoDBClient(env.aws.clientConfig('dynamodb'));
    const sizes = await tableItemSizes(dynamo, env.stack.tableName);
    dynamo.destroy();
    expect(sizes.length).toBeGreaterThanOrEqual(summary.chunks);
    expect(sizes[0]?.bytes).toBeLessThan(40_000);
    // The alert group counted every chunk's SIM-control devices once: the run's exact total.
    // PRECONDITION_FAILED_EXCEPTION is tenant-wide: one group across jobs (`*`).
    const group = sizes.find((entry) => entry.pk === 'alert#local#*#PRECONDITION_FAILED_EXCEPTION');
    expect(simControlled).toBeGreaterThan(0);
    expect(Number(group?.item.runCount?.N)).toBe(simControlled);
    // The first chunk that saw it alerted at once ("N+ devices" while the run goes on); the last
    // chunk completed the run and sent its digest: exactly the unknown devices.
    // The same call sent the run's final count.
    const { email } = await env.readAlerts();
    expect(email).toHaveLength(3);
    expect(email.find((message) => message.attributes.kind === 'firing')?.subject).toMatch(
      new RegExp(
        `^\\[KG local\\] CRITICAL PRECONDITION_FAILED_EXCEPTION: tenant-wide, [\\d,]+\\+ devices - ${JOB}$`,
      ),
    );
    expect(email.find((message) => message.attributes.kind === 'update')?.subject).toBe(
      `[KG local] FINAL COUNT PRECONDITION_FAILED_EXCEPTION: tenant-wide, ${simControlled.toLocaleString('en-US')} devices - ${JOB}`,
    );
    const digest = email.find((message) => message.attributes.kind === 'digest');
    expect(digest?.subject).toBe(`[KG local] Digest: 1,000 devices failed (1 code) - ${JOB}`);
    expect(digest?.email).toContain('DEVICE_NOT_FOUND (4040300): 1,000 devices');
  }, 300_000);

  it('pages the Pending devices of the shipped approve-pending job within the rate limit and counts LICENSE_IS_LACK exactly', async () => {
    // Prepare: the Knox-filter path (the scheduler pages /devices/list at its share of the rate).
    // The tenant has 3 spare seats, so all but 3 approvals fail with LICENSE_IS_LACK.
    const state = env.sim.state;
    const pending = state.devices.countGenerated((status) => status === DeviceStatus.pending);
    const listedBefore = env.sim.stats.devicesListed;
    const approved = new Set<string>();
    const apply = state.apply.bind(state);
    state.apply = (operation, id, params) => {
      const result = apply(operation, id, params);
      if (operation === 'approve') {
        if (approved.has(id)) throw new Error(`${id} approved twice`);
        approved.add(id);
      }
      return result;
    };

    // Act
    const summary = (await env.runSchedule('approve-pending')) as {
      mode: string;
      targets: number;
      chunks: number;
    };
    const drained: DrainResult = await env.drainOperations();

    // Assess
    expect(summary).toMatchObject({
      mode: 'queued',
      targets: pending,
      chunks: Math.ceil(pending / chunkSize),
    });
    expect(drained).toMatchObject({ messages: summary.chunks, failedItems: 0, delayed: 0, deadLettered: 0 });
    expect(approved.size).toBe(pending);
    expect(env.sim.stats.devicesListed - listedBefore).toBe(pending);
    expect(env.sim.stats.byStatus['429']).toBeUndefined();
    expect(env.sim.stats.maxRequestsPerSecond).toBeLessThanOrEqual(rate);
    const dynamo = new DynamoDBClient(env.aws.clientConfig('dynamodb'));
    const sizes = await tableItemSizes(dynamo, env.stack.tableName);
    dynamo.destroy();
    expect(sizes[0]?.bytes).toBeLessThan(40_000);
    const group = sizes.find((entry) => entry.pk === 'alert#local#*#LICENSE_IS_LACK');
    expect(Number(group?.item.runCount?.N)).toBe(pending - 3);
  }, 300_000);
});
