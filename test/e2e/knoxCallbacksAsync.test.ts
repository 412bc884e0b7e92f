// Large Knox callbacks, end to end (issue 13 item 14): the packaged webhook verifies and admits a
// signed 1,000-event callback from a real API Gateway v2 event, hands the events to the Knox
// events queue on fauxqs and answers 200 without processing them; the packaged knoxEvents
// function then runs on the SQS records received from fauxqs. Also: the digest of a Knox event
// names the event and the masked device (issue 14 item 1) and the webhook's log lines carry the
// HTTP API request id as correlation id (issue 14 item 5).
import {
  DeleteMessageBatchCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import type { SQSBatchResponse } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { knoxCallbackHeaders } from '../../lib/webhooks';
import { type KnoxEventsMessage, MAX_KNOX_EVENTS_MESSAGE_BYTES } from '../../lib/webhooks/knoxEventsMessage';
import { type EmbeddedStack, startEmbeddedStack } from '../../local/embedded';
import { httpApiEvent, lambdaContext, sqsEvent } from '../../local/embedded/lambdaEvents';
import { captureOutput } from '../helpers/captureOutput';
import { type SqsFaultProxy, startSqsFaultProxy } from '../helpers/sqsFaultProxy';

let env: EmbeddedStack;
let proxy: SqsFaultProxy;
let sqs: SQSClient;

beforeAll(async () => {
  env = await startEmbeddedStack({ stage: 'kevents', simulator: { seed: 'empty' }, logLevel: 'WARN' });
  // Every SQS call of the packaged handlers goes through the fault proxy (it passes all through
  // until told otherwise); the tests read the queue directly.
  proxy = await startSqsFaultProxy(env.aws.endpoints.sqs);
  process.env.AWS_ENDPOINT_URL_SQS = proxy.url;
  sqs = new SQSClient(env.aws.clientConfig('sqs'));
}, 180_000);

afterAll(async () => {
  sqs?.destroy();
  await proxy?.close();
  await env?.close();
});

const DEVICE_NOT_FOUND = { code: 4040300, message: 'DEVICE_NOT_FOUND', reason: 'Device not found.' };
const imei = (n: number) => `35693803${String(n).padStart(7, '0')}`;

/**
 * A callback of `count` events in the evidenced shape (one device each, no event id of its own),
 * of which the devices numbered in `failing` report DEVICE_NOT_FOUND (one digest per event).
 */
function callback(first: number, count: number, failing: ReadonlySet<number>): string {
  return JSON.stringify({
    events: Array.from({ length: count }, (_, i) => {
      const n = first + i;
      return {
        subscriptionId: 'sub-e2e',
        event: 'KG_DEVICE_LOCKED',
        payload: {
          deviceUid: imei(n),
          objectId: `obj-${n}`,
          deviceStatus: 'Locked',
          lastUpdatedAt: Date.now() - 60_000,
          tenantDomain: 'tenant.example.com',
          // What a real event may carry besides (unknown fields are ignored): ~370 bytes an event.
          deviceModel: 'SM-A546B',
          note: 'Locked by the billing system after the second missed instalment.',
          ...(failing.has(n) ? { result: 'FAIL', error: DEVICE_NOT_FOUND } : {}),
        },
      };
    }),
  });
}

/** Receives (without deleting) every message on the Knox events queue: real records for knoxEvents. */
async function receiveAll() {
  const all: {
    MessageId?: string;
    ReceiptHandle?: string;
    Body?: string;
    Attributes?: Record<string, string>;
  }[] = [];
  for (;;) {
    const { Messages } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: env.stack.knoxEvents.queueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 0,
        VisibilityTimeout: 300,
        MessageSystemAttributeNames: ['All'],
      }),
    );
    if (!Messages || Messages.length === 0) break;
    all.push(...Messages);
  }
  return all;
}

async function deleteAll(received: { ReceiptHandle?: string }[]) {
  for (let i = 0; i < received.length; i += 10) {
    await sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: env.stack.knoxEvents.queueUrl,
        Entries: received.slice(i, i + 10).map((m, j) => ({ Id: String(j), ReceiptHandle: m.ReceiptHandle })),
      }),
    );
  }
}

const eventsIn = (received: { Body?: string }[]) =>
  received.flatMap((m) => (JSON.parse(m.Body ?? '{}') as KnoxEventsMessage).events);

const consume = (received: Parameters<typeof sqsEvent>[1], timeoutMs = 120_000): Promise<SQSBatchResponse> =>
  env.handlers.knoxEvents(
    sqsEvent(env.stack.knoxEvents.queueArn, received),
    lambdaContext('knoxEvents', timeoutMs),
  );

const answerOf = (result: { body?: string }) => JSON.parse(result.body ?? '{}') as Record<string, unknown>;

describe('a 1,000-event Knox callback (packaged webhook and knoxEvents, fauxqs, dynalite)', () => {
  const failing = new Set([3, 150, 299, 300, 451, 600, 777, 801, 950, 999]);
  const body = callback(0, 1000, failing);
  const headers = () => knoxCallbackHeaders(body, env.callbackSigningKeyPem);
  let received: Awaited<ReturnType<typeof receiveAll>> = [];

  it('is answered 200 with every event queued, packed into as few messages as fit, and nothing processed inline', async () => {
    const answer = await env.http('/knox/notifications', body, headers(), { drainKnoxEvents: false });
    expect(answer.statusCode).toBe(200);
    expect(answerOf(answer)).toEqual({ result: 'SUCCESS', events: 1000, failures: failing.size });

    received = await receiveAll();
    const events = eventsIn(received);
    expect(events).toHaveLength(1000);
    expect(new Set(events.map((e) => e.index)).size).toBe(1000);
    const bytes = received.map((m) => Buffer.byteLength(m.Body ?? ''));
    for (const size of bytes) expect(size).toBeLessThanOrEqual(MAX_KNOX_EVENTS_MESSAGE_BYTES);
    // As few as fit: the events' bytes need more than one message, and every message but the
    // last is too full to take the next event.
    const total = bytes.reduce((sum, size) => sum + size, 0);
    expect(received.length).toBe(Math.ceil(total / MAX_KNOX_EVENTS_MESSAGE_BYTES));
    expect(received.length).toBe(2);
    // Processing is the consumer's: no alert yet.
    const alerts = await env.readAlerts();
    expect(alerts.email).toHaveLength(0);
  });

  it('knoxEvents turns the records into the right alerts: one digest per failing event, naming event and device', async () => {
    const response = await consume(received);
    expect(response.batchItemFailures).toEqual([]);
    const { email } = await env.readAlerts();
    expect(email.map((m) => m.attributes.kind)).toEqual(Array(failing.size).fill('digest'));
    const masked = [...failing].map((n) => `35*********${imei(n).slice(-4)}`).sort();
    const named = email
      .map((m) => /run KG_DEVICE_LOCKED (35\*{9}\d{4}) ref [a-z]{10}\b/.exec(m.email)?.[1])
      .sort();
    expect(named).toEqual(masked);
    for (const message of email) {
      expect(message.email).toContain('DEVICE_NOT_FOUND');
      // Not the nonce-derived id the event had before (`<nonce>#<index>`), and no full IMEI.
      expect(message.email).not.toMatch(/run [0-9a-f-]{20,}#\d+/);
      expect(message.email).not.toMatch(/3569380\d{8}/);
    }
  }, 120_000);

  it('a redelivery of the same records sends nothing again', async () => {
    const response = await consume(received);
    expect(response.batchItemFailures).toEqual([]);
    expect((await env.readAlerts()).email).toHaveLength(0);
    await deleteAll(received);
  }, 120_000);
});

describe('knoxEvents: a poison record fails alone', () => {
  it('reports only the unreadable record as a batch item failure and processes the other', async () => {
    const body = callback(2000, 3, new Set([2001]));
    const answer = await env.http(
      '/knox/notifications',
      body,
      knoxCallbackHeaders(body, env.callbackSigningKeyPem),
      {
        drainKnoxEvents: false,
      },
    );
    expect(answer.statusCode).toBe(200);
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: env.stack.knoxEvents.queueUrl,
        MessageBody: '{"v":1,"events":"no"}',
      }),
    );
    const received = await receiveAll();
    expect(received).toHaveLength(2);
    const poison = received.find((m) => m.Body?.includes('"events":"no"'));

    const response = await consume(received);

    expect(response.batchItemFailures).toEqual([{ itemIdentifier: poison?.MessageId }]);
    const { email } = await env.readAlerts();
    expect(email).toHaveLength(1);
    expect(email[0]?.email).toContain(`35*********${imei(2001).slice(-4)}`);
    await deleteAll(received);
  }, 60_000);
});

describe('knoxEvents: a record nested deeper than the call stack (break-it pass, item 1)', () => {
  it('is processed like any other, its content hash computed without a RangeError, not sent to the DLQ', async () => {
    // Not what the webhook writes now (it refuses bodies nested over 64 levels with a 400), but a
    // message already queued, or redriven, must not fail on every receive for its shape alone.
    const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    const body = `{"v":1,"requestId":"req-deep","receivedAt":${Date.now()},"events":[{"index":0,"total":1,"record":{"event":"KG_DEVICE_LOCKED","payload":{"deviceUid":"${imei(3000)}","deviceStatus":"Locked"},"x":${deep}}}]}`;

    const first = await consume([{ MessageId: 'deep-no-id', Body: body }]);
    const again = await consume([{ MessageId: 'deep-no-id-again', Body: body }]);

    expect(first.batchItemFailures).toEqual([]);
    expect(again.batchItemFailures).toEqual([]);
  });
});

describe('the Knox events queue refusing messages', () => {
  it('answers 503 in the Knox-style envelope; Knox redelivering the callback then queues it, alerted once', async () => {
    const failing = new Set([3003, 3600]);
    const body = callback(3000, 1000, failing);
    const headers = knoxCallbackHeaders(body, env.callbackSigningKeyPem);
    // The first message is taken, the second refused on every attempt: a partial enqueue.
    proxy.failFromCall = proxy.batchCalls + 2;
    proxy.failEntryIds = new Set(['0']);
    const refused = await env.http('/knox/notifications', body, headers, { drainKnoxEvents: false });
    proxy.failEntryIds = undefined;
    proxy.failFromCall = undefined;

    expect(refused.statusCode).toBe(503);
    expect(refused.headers?.['retry-after']).toBe('5');
    expect(answerOf(refused)).toMatchObject({
      result: 'FAIL',
      error: { code: '5030001', message: 'QUEUE_PARTIAL', reason: expect.stringMatching(/^1 of 2 messages/) },
    });
    // Knox redelivers the same callback (same nonce): admitted, since the nonce was not remembered.
    const redelivered = await env.http('/knox/notifications', body, headers, { drainKnoxEvents: false });
    expect(redelivered.statusCode).toBe(200);
    expect(answerOf(redelivered)).toEqual({ result: 'SUCCESS', events: 1000, failures: 2 });
    // Then the same nonce once more: a replay now, nothing queued.
    const replay = await env.http('/knox/notifications', body, headers, { drainKnoxEvents: false });
    expect(answerOf(replay)).toMatchObject({ duplicate: true });

    const received = await receiveAll();
    expect(received).toHaveLength(3); // the first delivery's message and the redelivery's two
    const queued = eventsIn(received);
    expect(new Set(queued.map((e) => e.index)).size).toBe(1000);
    expect(queued.length).toBeGreaterThan(1000); // the first message's events are on the queue twice
    const response = await consume(received);
    expect(response.batchItemFailures).toEqual([]);
    const { email } = await env.readAlerts();
    expect(email.map((m) => m.attributes.kind)).toEqual(['digest', 'digest']);
    await deleteAll(received);
  }, 120_000);
});

describe('knoxEvents near its deadline', () => {
  it('stops between events and hands the message back; the redelivery finishes it, each alert once', async () => {
    const failing = new Set([4000, 4500, 4999]);
    const body = callback(4000, 1000, failing);
    const answer = await env.http(
      '/knox/notifications',
      body,
      knoxCallbackHeaders(body, env.callbackSigningKeyPem),
      {
        drainKnoxEvents: false,
      },
    );
    expect(answer.statusCode).toBe(200);
    const received = await receiveAll();

    // 10.3 s left when it starts: 10 s are kept free, so ~0.3 s of events get done.
    // Every record failed: Powertools rejects the invocation (FullBatchFailureError), and SQS
    // redelivers the whole batch, as it does for the batch item failures it would report.
    const cut = await consume(received, 10_300).then(
      (response) => response.batchItemFailures.map((failure) => failure.itemIdentifier),
      (error: Error) => {
        expect(error.name).toBe('FullBatchFailureError');
        return received.map((message) => message.MessageId);
      },
    );
    const redelivered = await consume(received);

    expect(cut).toContain(received[0]?.MessageId);
    expect(redelivered.batchItemFailures).toEqual([]);
    const { email } = await env.readAlerts();
    expect(email).toHaveLength(failing.size);
    await deleteAll(received);
  }, 120_000);
});

describe('webhook logs', () => {
  it('carry the HTTP API request id as correlation_id, without the missing-search-function warning', async () => {
    const output = captureOutput();
    const event = httpApiEvent('POST', '/knox/notifications', { 'content-type': 'application/json' }, '{}');
    try {
      const answer = await env.handlers.webhook(event, lambdaContext('webhook', 10_000));
      expect(answer.statusCode).toBe(401);
    } finally {
      output.restore();
    }
    const rejected = output.records().find((r) => r.message === 'Knox callback rejected');
    expect(rejected?.correlation_id).toBe(event.requestContext.requestId);
    expect(output.lines.join('')).not.toContain('no search function');
  });
});
