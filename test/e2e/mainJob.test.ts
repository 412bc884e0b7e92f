// End to end: the packaged (esbuild) handlers, invoked with real EventBridge Scheduler, SQS and
// API Gateway v2 event shapes, against the Knox Guard simulator and the local SNS/SQS/S3
// (fauxqs) and DynamoDB (dynalite) servers, with the resources serverless.yml declares. The
// scheduler really sends chunks to the local queue and the worker consumes what it receives.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { knoxCode } from '../../lib/errors';
import { signOperationRequest } from '../../lib/webhooks';
import { signKnoxCallback } from '../../lib/webhooks/signKnoxCallback';
import type { InboxMessage } from '../../local/aws';
import { type EmbeddedStack, startEmbeddedStack } from '../../local/embedded';

// A jobs file of this test's own: tiny chunks and no inline limit, so even a 40-device job fans
// out through the operations queue to the worker.
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
let sqs: SQSClient;
let overdue: string[];
const alerts: { email: InboxMessage[]; sms: InboxMessage[] } = { email: [], sms: [] };

async function collectAlerts() {
  const next = await env.readAlerts();
  alerts.email.push(...next.email);
  alerts.sms.push(...next.sms);
  return next;
}

async function queueDepth(): Promise<number> {
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: env.stack.queueUrl,
      AttributeNames: [
        'ApproximateNumberOfMessages',
        'ApproximateNumberOfMessagesNotVisible',
        'ApproximateNumberOfMessagesDelayed',
      ],
    }),
  );
  return Object.values(Attributes ?? {}).reduce((sum, value) => sum + Number(value), 0);
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kgs-e2e-'));
  const jobsPath = join(dir, 'jobs.yml');
  await writeFile(jobsPath, JOBS);
  env = await startEmbeddedStack({ stage: 'e2e', simulator: { seed: { devices: 400 } }, logLevel: 'ERROR' });
  process.env.JOBS_CONFIG_PATH = jobsPath;
  sqs = new SQSClient({ ...env.aws.clientConfig('sqs'), useQueueUrlAsEndpoint: false });
  overdue = [];
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
  sqs?.destroy();
  await env?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('scheduled runs through the packaged handlers', () => {
  it('approve-pending runs into LICENSE_IS_LACK and publishes one critical alert', async () => {
    const summary = (await env.runSchedule('approve-pending', new Date('2026-11-25T06:00:00Z'))) as {
      mode: string;
      succeeded: number;
      failuresByCode: Record<string, number>;
    };
    expect(summary.mode).toBe('inline');
    expect(summary.succeeded).toBeGreaterThan(0); // the few spare seats
    expect(summary.failuresByCode.LICENSE_IS_LACK).toBeGreaterThan(0);
    const { email, sms } = await collectAlerts();
    expect(email.map((m) => m.attributes.code)).toEqual(['LICENSE_IS_LACK']);
    // LICENSE_IS_LACK is tenant-wide (the tenant's licence pool): one group across jobs, `job` *.
    expect(email[0]?.attributes).toMatchObject({
      severity: 'critical',
      category: 'license',
      job: '*',
      stage: 'e2e',
    });
    expect(email[0]?.email).toContain(knoxCode('LICENSE_IS_LACK').remediation);
    expect(email[0]?.subject).toContain(`tenant-wide, ${summary.failuresByCode.LICENSE_IS_LACK} devices`);
    expect(email[0]?.subject).toMatch(/ - approve-pending$/);
    expect(sms).toHaveLength(1);
  });

  it('overdue-lock fans out through SQS; a LICENSE_MAX_COUNT_REACHED chunk alerts once and every other device is locked once', async () => {
    // Knox Guard refuses one whole bulk request with LICENSE_MAX_COUNT_REACHED; the other chunks
    // succeed. (Not LICENSE_IS_LACK: that tenant-wide group already fired for approve-pending
    // above, so overdue-lock joins it without a second message.)
    env.sim.faults.push({
      path: 'lockAsync',
      times: 1,
      status: 400,
      body: JSON.stringify({
        result: 'FAIL',
        error: { code: 4001807, message: 'LICENSE_MAX_COUNT_REACHED', reason: 'Licence limit reached.' },
      }),
    });
    const summary = (await env.runSchedule('overdue-lock', new Date('2026-11-25T07:00:00Z'))) as {
      mode: string;
      chunks: number;
    };
    expect(summary).toMatchObject({ mode: 'queued', chunks: 4 });
    expect(await queueDepth()).toBe(4);
    const drained = await env.drainOperations({ concurrency: 3 });
    expect(drained).toMatchObject({ messages: 4, failedItems: 0, deadLettered: 0 });
    expect(await queueDepth()).toBe(0);

    const locked = overdue.filter((id) => env.sim.state.devices.get(id)?.status === 'Locked');
    expect(locked).toHaveLength(30);
    expect(env.sim.stats.byPath['/kcs/v1.1/kg/devices/lockAsync']).toBe(4);

    const { email, sms } = await collectAlerts();
    const lack = email.filter((m) => m.attributes.code === 'LICENSE_MAX_COUNT_REACHED');
    expect(lack).toHaveLength(1);
    expect(lack[0]?.attributes.job).toBe('*');
    expect(lack[0]?.subject).toMatch(/ - overdue-lock$/);
    // Sent by the first worker that saw it, while other chunks were still in flight; its 10 were
    // the final count, so no run-complete update follows.
    expect(lack[0]?.subject).toContain('LICENSE_MAX_COUNT_REACHED: tenant-wide, 10+ devices');
    expect(email.map((m) => m.attributes.code)).toEqual(['LICENSE_MAX_COUNT_REACHED']);
    expect(sms.map((m) => m.attributes.code)).toEqual(['LICENSE_MAX_COUNT_REACHED']);
  });

  it('a redelivered chunk message is not executed against Knox Guard twice', async () => {
    const before = env.sim.stats.byPath['/kcs/v1.1/kg/devices/lockAsync'];
    // The scheduler's retry of the same scheduled time re-queues the same chunk ids.
    await env.runSchedule('overdue-lock', new Date('2026-11-25T07:00:00Z'));
    const drained = await env.drainOperations();
    expect(drained.messages).toBe(4);
    expect(env.sim.stats.byPath['/kcs/v1.1/kg/devices/lockAsync']).toBe(before);
    const { email } = await collectAlerts();
    expect(email).toHaveLength(0);
  });
});

describe('webhook through the packaged handler', () => {
  const callback = JSON.stringify({
    eventType: 'KG_DEVICE_LOCKED',
    eventId: 'evt-e2e-1',
    // Inside the callback window (lib/webhooks KNOX_CALLBACK_WINDOW): older events are not processed.
    timestamp: new Date().toISOString(),
    resultList: [
      { deviceUid: '356938035643809', result: 'SUCCESS' },
      {
        deviceUid: '356938035643817',
        result: 'FAIL',
        error: { code: 4040300, message: 'DEVICE_NOT_FOUND', reason: 'not found' },
      },
    ],
  });

  it('rejects a callback with a bad signature (401, Knox-style envelope) and processes nothing', async () => {
    const forged = signKnoxCallback(callback.replace('SUCCESS', 'FAIL'), env.callbackSigningKeyPem);
    const answer = await env.http('/knox/notifications', callback, {
      'content-type': 'application/json',
      'x-knox-signature': forged,
    });
    expect(answer.statusCode).toBe(401);
    expect(JSON.parse(answer.body as string)).toMatchObject({
      result: 'FAIL',
      error: { code: '4010001', message: 'SIGNATURE_INVALID' },
    });
    const unsigned = await env.http('/knox/notifications', callback, { 'content-type': 'application/json' });
    expect(unsigned.statusCode).toBe(401);
    const { email } = await collectAlerts();
    expect(email).toHaveLength(0);
  });

  it('processes a signed callback once, however often Knox delivers it', async () => {
    const headers = {
      'content-type': 'application/json',
      'x-knox-signature': signKnoxCallback(callback, env.callbackSigningKeyPem),
    };
    const first = await env.http('/knox/notifications', callback, headers);
    const second = await env.http('/knox/notifications', callback, headers);
    expect(first.statusCode).toBe(200);
    expect(second).toEqual(first);
    const { email } = await collectAlerts();
    expect(email.map((m) => m.attributes.kind)).toEqual(['digest']);
    expect(email[0]?.email).toContain('DEVICE_NOT_FOUND');
  });

  it('answers a malformed operation request with a 400 envelope and queues nothing', async () => {
    const cases: [string, Record<string, string>, number, string][] = [
      ['{"operation":"lock","deviceUids":["356938035643800"]}', {}, 400, 'VALIDATION_FAILED'],
      ['{"operation":"explode","deviceUids":["356938035643809"]}', {}, 400, 'UNKNOWN_OPERATION'],
      ['{"operation":', {}, 400, 'INVALID_JSON'],
      [
        '{"operation":"unlock","deviceUids":["356938035643809"]}',
        { 'content-type': 'text/plain' },
        415,
        'UNSUPPORTED_MEDIA_TYPE',
      ],
    ];
    for (const [body, extra, status, message] of cases) {
      const headers = {
        'content-type': 'application/json',
        ...signOperationRequest({ body, secret: env.hmacSecret }),
        ...extra,
      };
      const answer = await env.http('/operations', body, headers);
      expect(answer.statusCode, body).toBe(status);
      expect(JSON.parse(answer.body as string)).toMatchObject({ result: 'FAIL', error: { message } });
    }
    const stale = signOperationRequest({
      body: cases[0]?.[0] ?? '',
      secret: env.hmacSecret,
      timestamp: Math.floor(Date.now() / 1000) - 3600,
    });
    const replay = await env.http('/operations', cases[0]?.[0] ?? '', {
      'content-type': 'application/json',
      ...stale,
    });
    expect(replay.statusCode).toBe(401);
    expect(await queueDepth()).toBe(0);
  });

  it('queues a signed operation request once per Idempotency-Key and the worker carries it out', async () => {
    const targets = overdue.filter((id) => env.sim.state.devices.get(id)?.status === 'Locked').slice(0, 2);
    expect(targets).toHaveLength(2);
    const body = JSON.stringify({ operation: 'unlock', deviceUids: targets });
    const headers = {
      'content-type': 'application/json',
      'idempotency-key': 'e2e-unlock-1',
      ...signOperationRequest({ body, secret: env.hmacSecret }),
    };
    const first = await env.http('/operations', body, headers);
    const retry = await env.http('/operations', body, headers);
    expect(first.statusCode).toBe(202);
    const operationId = JSON.parse(first.body as string).operationId;
    expect(JSON.parse(retry.body as string).operationId).toBe(operationId);
    expect(await queueDepth()).toBe(1);
    const conflict = await env.http(
      '/operations',
      JSON.stringify({ operation: 'unlock', deviceUids: overdue.slice(2, 3) }),
      {
        ...headers,
        ...signOperationRequest({
          body: JSON.stringify({ operation: 'unlock', deviceUids: overdue.slice(2, 3) }),
          secret: env.hmacSecret,
        }),
      },
    );
    expect(conflict.statusCode).toBe(409);
    const otherBody = JSON.stringify({ operation: 'unlock', deviceUids: targets.slice(0, 1) });
    const other = await env.http('/operations', otherBody, {
      'content-type': 'application/json',
      'idempotency-key': 'e2e-unlock-2',
      ...signOperationRequest({ body: otherBody, secret: env.hmacSecret }),
    });
    expect(other.statusCode).toBe(202);
    expect(JSON.parse(other.body as string).operationId).not.toBe(operationId);
    expect(await queueDepth()).toBe(2);
    await env.drainOperations();
    expect(targets.map((id) => env.sim.state.devices.get(id)?.status)).toEqual(['Enrolled', 'Enrolled']);
    // The second unlock of an already unlocked device: Knox answers DEVICE_STATE_INVALID "Current
    // status is 'Enrolled'.", which is the unlock's target state, so a success (issue 13.9): no
    // DEVICE_STATE_INVALID digest for the api-request run.
    const { email } = await collectAlerts();
    expect(email.filter((m) => m.attributes.job === 'api-request')).toEqual([]);
  });
});

// Last, because a firing tenant-wide alert inhibits the per-device digests of the tests above.
describe('tenant-wide failures', () => {
  it('a blocked API user turns every call into USER_BLOCKED_STATE: one alert, not one per device', async () => {
    const user = env.sim.state.primaryUser;
    if (!user) throw new Error('seeded tenant has no API user');
    user.status = 'blocked';
    await env.runSchedule('overdue-lock', new Date('2026-11-26T07:00:00Z'));
    await env.drainOperations({ concurrency: 4 });
    user.status = 'active';
    const { email, sms } = await collectAlerts();
    expect(email.every((m) => m.attributes.code === 'USER_BLOCKED_STATE')).toBe(true);
    const firing = email.filter((m) => m.attributes.kind === 'firing');
    expect(firing).toHaveLength(1);
    expect(firing[0]?.subject).toMatch(/USER_BLOCKED_STATE: tenant-wide, \d+\+ devices - overdue-lock$/);
    expect(firing[0]?.email).toContain(knoxCode('USER_BLOCKED_STATE').remediation);
    // Workers that raced past the first claim may have made the first count final already; if
    // not, the run's end sends one update with all 40.
    const updates = email.filter((m) => m.attributes.kind === 'update');
    expect(updates.length).toBeLessThanOrEqual(1);
    for (const update of updates) expect(update.subject).toContain('tenant-wide, 40 devices');
    expect(sms.filter((m) => m.attributes.kind === 'firing').map((m) => m.attributes.code)).toEqual([
      'USER_BLOCKED_STATE',
    ]);
    expect(sms).toHaveLength(email.length);
  });

  it('every alert fits SNS: subject under 100 characters, SMS in one GSM-7 segment, no readable IMEI', () => {
    const all = [...alerts.email, ...alerts.sms];
    expect(all.length).toBeGreaterThanOrEqual(6);
    for (const message of all) {
      expect((message.subject ?? '').length).toBeLessThan(100);
      expect(message.subject ?? '').not.toMatch(/[\r\n]/);
      expect(message.sms.length).toBeLessThanOrEqual(160);
      expect(message.sms).toMatch(/^[\x20-\x7E]*$/);
      for (const id of overdue) expect(`${message.email}${message.sms}`).not.toContain(id);
    }
  });
});
