// POST /operations at the edge, end to end: the packaged webhook handler invoked with real API
// Gateway v2 events, Powertools idempotency records in dynalite, chunks on fauxqs's SQS (through a
// proxy that can lose SendMessageBatch entries), the packaged operation worker against the Knox
// simulator. Issue 13, items 12 and 13.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { signOperationRequest } from '../../lib/webhooks';
import { MAX_JSON_DEPTH } from '../../lib/webhooks/readJsonBody';
import { type EmbeddedStack, startEmbeddedStack } from '../../local/embedded';
import { type SqsFaultProxy, startSqsFaultProxy } from '../helpers/sqsFaultProxy';
import { withCheckDigit } from '../unit/webhooks/helpers';

const CHUNK_SIZE = 10;
let env: EmbeddedStack;
let proxy: SqsFaultProxy;
let sqs: SQSClient;

beforeAll(async () => {
  env = await startEmbeddedStack({
    stage: 'edge',
    simulator: { seed: 'empty', recordRequests: true },
    logLevel: 'ERROR',
  });
  proxy = await startSqsFaultProxy(env.aws.endpoints.sqs);
  // Before the first invocation: the bundle creates its SQS client and reads jobs.yml lazily.
  process.env.AWS_ENDPOINT_URL_SQS = proxy.url;
  const dir = mkdtempSync(join(tmpdir(), 'edge-jobs-'));
  const jobs = join(dir, 'jobs.json');
  writeFileSync(
    jobs,
    JSON.stringify({
      defaults: { chunkSize: CHUNK_SIZE },
      jobs: { 'licence-health': { operation: 'licence-health' } },
    }),
  );
  process.env.JOBS_CONFIG_PATH = jobs;
  sqs = new SQSClient(env.aws.clientConfig('sqs'));
}, 180_000);

afterAll(async () => {
  sqs?.destroy();
  await proxy?.close();
  await env?.close();
});

beforeEach(() => {
  proxy.failEntryIds = undefined;
});

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

/** Valid IMEIs of their own per test, so Knox calls can be counted per device. */
function imeis(series: number, count: number): string[] {
  return Array.from({ length: count }, (_, i) =>
    withCheckDigit(`35${String(series).padStart(5, '0')}${String(i).padStart(7, '0')}`),
  );
}

/** How often the Knox simulator was asked to run `operation` on each device. */
function knoxCallsPerDevice(operation: string, ids: readonly string[]): number[] {
  const requests = env.sim.requests.filter((request) => request.path.toLowerCase().includes(operation));
  return ids.map((id) => requests.filter((request) => JSON.stringify(request.body).includes(id)).length);
}

const answer = (result: { body?: string }) => JSON.parse(result.body ?? '{}') as Record<string, unknown>;
const json = { 'content-type': 'application/json' };

describe('signed operation requests are queued once (packaged webhook, dynalite, fauxqs)', () => {
  it('the same signed delete sent three times, and with swapped Idempotency-Keys, is one operation', async () => {
    const devices = imeis(1, 30);
    const body = JSON.stringify({ operation: 'delete', deviceUids: devices });
    const v1 = signOperationRequest({ body, secret: env.hmacSecret, version: 'v1' });

    const sent = [];
    for (let i = 0; i < 3; i++) sent.push(await env.http('/operations', body, { ...json, ...v1 }));
    // v1 does not sign the key: a replayer adding or swapping one still gets the first answer.
    sent.push(await env.http('/operations', body, { ...json, ...v1, 'idempotency-key': 'swap-1' }));
    sent.push(await env.http('/operations', body, { ...json, ...v1, 'idempotency-key': 'swap-2' }));

    expect(sent.map((result) => result.statusCode)).toEqual([202, 202, 202, 202, 202]);
    const ids = new Set(sent.map((result) => answer(result).operationId));
    expect(ids.size).toBe(1);
    expect(answer(sent[0] ?? {})).toMatchObject({ result: 'ACCEPTED', devices: 30, chunks: 3 });
    expect(await queueDepth()).toBe(3);

    // v2 signs the key: swapping it is refused outright.
    const v2 = signOperationRequest({ body, secret: env.hmacSecret, idempotencyKey: 'inv-1' });
    const swapped = await env.http('/operations', body, { ...json, ...v2, 'idempotency-key': 'inv-2' });
    expect(swapped.statusCode).toBe(401);
    expect(await queueDepth()).toBe(3);

    await env.drainOperations();
    expect(knoxCallsPerDevice('delete', devices)).toEqual(devices.map(() => 1));
  });

  it('a partial SQS failure answered without a key tells the truth, and its advised retry runs nobody twice', async () => {
    const devices = imeis(2, 100);
    const body = JSON.stringify({ operation: 'unlock', deviceUids: devices });
    // SendMessageBatch loses chunks 5-9 (entry ids 5-9 of the one batch of 10) on every attempt.
    proxy.failEntryIds = new Set(['5', '6', '7', '8', '9']);
    const first = await env.http('/operations', body, {
      ...json,
      ...signOperationRequest({ body, secret: env.hmacSecret }),
    });
    expect(first.statusCode).toBe(503);
    const failed = answer(first);
    const key = String(failed.idempotencyKey);
    expect(key).toMatch(/^sig-[0-9a-f]{40}$/);
    expect(failed.error).toMatchObject({
      code: '5030001',
      message: 'QUEUE_PARTIAL',
      reason: `5 of 10 chunks of operation ${String(failed.operationId)} were queued and will run; 5 were not. To queue the rest, resend the same body with the header "Idempotency-Key: ${key}" (signed with v2=): chunks already queued are not run twice. A request with a new key or another body would run the queued devices again.`,
    });
    expect(await queueDepth()).toBe(5);

    // The client follows the advice a minute later: new timestamp, the advised key, v2 signature.
    proxy.failEntryIds = undefined;
    const retry = await env.http('/operations', body, {
      ...json,
      ...signOperationRequest({
        body,
        secret: env.hmacSecret,
        idempotencyKey: key,
        timestamp: Math.floor(Date.now() / 1000) + 60,
      }),
    });
    expect(retry.statusCode).toBe(202);
    expect(answer(retry).operationId).toBe(failed.operationId);

    await env.drainOperations();
    expect(knoxCallsPerDevice('unlock', devices)).toEqual(devices.map(() => 1));
  });
});

describe("an operation request carries the operation's optional Knox Guard fields (packaged webhook and worker)", () => {
  it("sends a blink request's interval to Knox Guard, and refuses an option the operation does not have", async () => {
    const devices = imeis(3, 3);
    const body = JSON.stringify({
      operation: 'blink',
      deviceUids: devices,
      message: 'Your instalment is due in 3 days.',
      tel: '+49 89 2024 7710',
      options: { interval: 45 },
    });
    const accepted = await env.http('/operations', body, {
      ...json,
      ...signOperationRequest({ body, secret: env.hmacSecret }),
    });
    expect(accepted.statusCode).toBe(202);
    await env.drainOperations();
    const blinks = env.sim.requests.filter((request) => /\/devices\/blink(Async)?$/.test(request.path));
    expect(blinks.length).toBeGreaterThan(0);
    for (const request of blinks) expect(request.body).toMatchObject({ interval: 45 });

    const wrong = JSON.stringify({ operation: 'unlock', deviceUids: devices, options: { interval: 45 } });
    const refused = await env.http('/operations', wrong, {
      ...json,
      ...signOperationRequest({ body: wrong, secret: env.hmacSecret }),
    });
    expect(refused.statusCode).toBe(400);
    expect(answer(refused).error).toMatchObject({ message: 'VALIDATION_FAILED' });
    expect(String((answer(refused).error as { reason?: string }).reason)).toContain(
      'options: unlock has no option interval',
    );
  });
});

describe('requests that can never succeed are 4xx (packaged webhook)', () => {
  it('answers a message holding U+FFFF with 400 VALIDATION_FAILED at once, and queues nothing', async () => {
    const body = JSON.stringify({
      operation: 'lock',
      deviceUids: imeis(3, 2),
      message: 'Bitte zahlen\uFFFF',
      email: 'billing@example.org',
    });
    const batchCalls = proxy.batchCalls;
    const result = await env.http('/operations', body, {
      ...json,
      ...signOperationRequest({ body, secret: env.hmacSecret }),
    });
    expect(result.statusCode).toBe(400);
    expect(answer(result)).toMatchObject({
      result: 'FAIL',
      error: { code: '4000002', message: 'VALIDATION_FAILED' },
    });
    expect(String((answer(result).error as { reason: string }).reason)).toContain('message: contains U+FFFF');
    expect(proxy.batchCalls).toBe(batchCalls);
    expect(await queueDepth()).toBe(0);
  });

  // Break-it pass, 2026-12-01: a 60 KB unknown key took 4.3 s to answer (masking was quadratic)
  // and the 400 echoed the key twice; at 300 KB the answer would have taken minutes, past the
  // webhook's 10 s timeout (a 5xx from API Gateway).
  it('answers a 300 KB unknown key with a short 400 VALIDATION_FAILED, and queues nothing', async () => {
    const [imei] = imeis(6, 1);
    const body = JSON.stringify({
      operation: 'unlock',
      deviceUids: [imei],
      [`${imei}${'k'.repeat(300_000)}`]: 1,
    });
    const batchCalls = proxy.batchCalls;
    const result = await env.http('/operations', body, {
      ...json,
      ...signOperationRequest({ body, secret: env.hmacSecret }),
    });
    expect(result.statusCode).toBe(400);
    expect(answer(result)).toMatchObject({ error: { code: '4000002', message: 'VALIDATION_FAILED' } });
    expect(result.body?.length ?? 0).toBeLessThan(2_000);
    expect(result.body).not.toContain(String(imei));
    expect(proxy.batchCalls).toBe(batchCalls);
  });

  it('answers a signed body nested deeper than the limit with 400 INVALID_JSON, and queues nothing (break-it pass, item 1)', async () => {
    const batchCalls = proxy.batchCalls;
    const answers = [];
    for (const depth of [MAX_JSON_DEPTH, 200_000]) {
      const body = `{"operation":"lock","deviceUids":[],"x":${'['.repeat(depth)}${']'.repeat(depth)}}`;
      answers.push(
        await env.http('/operations', body, {
          ...json,
          ...signOperationRequest({ body, secret: env.hmacSecret }),
        }),
      );
    }
    for (const result of answers) {
      expect(result.statusCode).toBe(400);
      expect(answer(result)).toMatchObject({
        result: 'FAIL',
        error: { code: '4000001', message: 'INVALID_JSON' },
      });
    }
    expect(proxy.batchCalls).toBe(batchCalls);
    expect(await queueDepth()).toBe(0);
  });

  it('accepts a signed body that starts with a UTF-8 BOM as the JSON it carries (break-it pass, item 4)', async () => {
    const devices = imeis(5, 2);
    const body = `\uFEFF${JSON.stringify({ operation: 'delete', deviceUids: devices })}`;
    const result = await env.http('/operations', body, {
      ...json,
      ...signOperationRequest({ body, secret: env.hmacSecret }),
    });
    expect(result.statusCode).toBe(202);
    expect(answer(result)).toMatchObject({ result: 'ACCEPTED', devices: 2 });
    await env.drainOperations();
    expect(knoxCallsPerDevice('delete', devices)).toEqual([1, 1]);
  });

  it('normalises prefixed ids before they reach Knox Guard', async () => {
    const [id] = imeis(4, 1);
    const grouped = `IMEI: ${id?.slice(0, 2)}-${id?.slice(2, 8)}-${id?.slice(8, 14)}-${id?.slice(14)}`;
    const body = JSON.stringify({ operation: 'delete', deviceUids: [grouped, `IMEI${id}`] });
    const result = await env.http('/operations', body, {
      ...json,
      ...signOperationRequest({ body, secret: env.hmacSecret }),
    });
    expect(answer(result)).toMatchObject({ result: 'ACCEPTED', devices: 1 });
    await env.drainOperations();
    const requests = env.sim.requests.filter((request) => JSON.stringify(request.body).includes(String(id)));
    expect(requests.length).toBeGreaterThan(0);
    expect(JSON.stringify(requests.map((request) => request.body))).not.toContain('IMEI');
  });
});
