// The Knox callback route's logic with an in-memory nonce store and a recording queue: what is
// answered, queued and remembered for each outcome (the packaged handler is tested end to end in
// test/e2e/knoxCallbacksAsync.test.ts and webhookReplay.test.ts).
import { describe, expect, it } from 'vitest';
import { knoxCallbackHeaders, readKnoxEventsMessage, receiveKnoxCallback } from '../../../lib/webhooks';
import { createMemoryNonceStore } from '../../../lib/webhooks/createMemoryNonceStore';
import { type KnoxEventQueue, KnoxEventQueueError } from '../../../lib/webhooks/KnoxEventQueue';
import { TEST_CERT_PEM, TEST_KEY_PEM } from './helpers';

const NOW = Date.parse('2026-11-30T12:00:00Z');

function setup(queue?: KnoxEventQueue) {
  const sent: string[][] = [];
  const counted: Record<string, number> = {};
  const logged: string[] = [];
  const nonces = createMemoryNonceStore(() => NOW);
  const deps = {
    certificatePem: async () => TEST_CERT_PEM,
    nonces,
    queue: queue ?? { send: async (bodies: readonly string[]) => void sent.push([...bodies]) },
    now: () => NOW,
    log: {
      info: (message: string) => void logged.push(message),
      warn: (message: string) => void logged.push(message),
      error: (message: string) => void logged.push(message),
    },
    count: (name: string, value: number) => {
      counted[name] = (counted[name] ?? 0) + value;
    },
  };
  return { deps, sent, counted, logged, nonces };
}

function callback(body: unknown, nonce = 'nonce-1') {
  const text = JSON.stringify(body);
  return {
    headers: knoxCallbackHeaders(text, TEST_KEY_PEM, { nonce }),
    body: Buffer.from(text),
    requestId: 'req-1',
  };
}

const locked = {
  event: 'KG_DEVICE_LOCKED',
  payload: { deviceUid: '356938035643809', deviceStatus: 'Locked', lastUpdatedAt: NOW - 60_000 },
};

describe('receiveKnoxCallback', () => {
  it('queues an admitted event with the request id, answers 200 and remembers the nonce', async () => {
    const { deps, sent, counted, nonces } = setup();

    const answer = await receiveKnoxCallback(callback(locked), deps);

    expect(answer).toEqual({ statusCode: 200, body: { result: 'SUCCESS', events: 1, failures: 0 } });
    expect(sent).toHaveLength(1);
    const message = readKnoxEventsMessage(sent[0]?.[0] ?? '');
    expect(message.message).toMatchObject({ requestId: 'req-1', receivedAt: NOW, nonce: 'nonce-1' });
    expect(message.events).toHaveLength(1);
    expect(counted.KnoxEventsQueued).toBe(1);
    expect(await nonces.seen('nonce-1')).toBe(true);
  });

  it('answers a seen nonce 200 duplicate and queues nothing', async () => {
    const { deps, sent, counted } = setup();
    await receiveKnoxCallback(callback(locked), deps);

    const again = await receiveKnoxCallback(callback(locked), deps);

    expect(again).toEqual({
      statusCode: 200,
      body: { result: 'SUCCESS', events: 0, failures: 0, duplicate: true },
    });
    expect(sent).toHaveLength(1);
    expect(counted.CallbacksReplayed).toBe(1);
  });

  it('refuses an unsigned callback with 401 SIGNATURE_MISSING before anything else', async () => {
    const { deps, sent, counted } = setup();
    const request = callback(locked);

    const answer = await receiveKnoxCallback(
      { ...request, headers: { 'content-type': 'application/json' } },
      deps,
    );

    expect(answer.statusCode).toBe(401);
    expect(answer.body).toMatchObject({ error: { code: '4010003', message: 'SIGNATURE_MISSING' } });
    expect(counted.CallbacksRejected).toBe(1);
    expect(sent).toHaveLength(0);
  });

  it.each([true, false])(
    'answers a signed callback nested 200,000 deep (eventId: %s) with 400 INVALID_JSON, queues nothing and keeps the nonce',
    async (withId) => {
      const { deps, sent, nonces } = setup();
      const text = `{${withId ? '"eventId":"deep-1",' : ''}"event":"KG_DEVICE_LOCKED","x":${'['.repeat(200_000)}${']'.repeat(200_000)}}`;

      const answer = await receiveKnoxCallback(
        {
          headers: knoxCallbackHeaders(text, TEST_KEY_PEM, { nonce: 'deep' }),
          body: Buffer.from(text),
          requestId: 'r',
        },
        deps,
      );

      expect(answer.statusCode).toBe(400);
      expect(answer.body).toMatchObject({
        result: 'FAIL',
        error: { code: '4000001', message: 'INVALID_JSON' },
      });
      expect(sent).toHaveLength(0);
      expect(await nonces.seen('deep')).toBe(false);
    },
  );

  it('reads a signed callback that starts with a UTF-8 BOM as the JSON after it', async () => {
    const { deps, sent } = setup();
    const text = `\uFEFF${JSON.stringify(locked)}`;

    const answer = await receiveKnoxCallback(
      {
        headers: knoxCallbackHeaders(text, TEST_KEY_PEM, { nonce: 'bom' }),
        body: Buffer.from(text),
        requestId: 'r',
      },
      deps,
    );

    expect(answer).toEqual({ statusCode: 200, body: { result: 'SUCCESS', events: 1, failures: 0 } });
    expect(sent).toHaveLength(1);
  });

  it('answers a signed notification of the wrong shape with 400 VALIDATION_FAILED', async () => {
    const { deps } = setup();

    const answer = await receiveKnoxCallback(callback([]), deps);

    expect(answer.statusCode).toBe(400);
    expect(answer.body).toMatchObject({ error: { message: 'VALIDATION_FAILED' } });
  });

  it('answers 503 with retry-after when SQS did not take every message, and keeps the nonce deliverable', async () => {
    const { deps, counted, nonces } = setup({
      send: async () => {
        throw new KnoxEventQueueError('SQS did not take it', { queued: 0, notQueued: 1 });
      },
    });

    const answer = await receiveKnoxCallback(callback(locked), deps);

    expect(answer.statusCode).toBe(503);
    expect(answer.headers).toEqual({ 'retry-after': '5' });
    expect(answer.body).toMatchObject({ error: { code: '5030001', message: 'QUEUE_PARTIAL' } });
    expect(counted.CallbacksNotQueued).toBe(1);
    expect(await nonces.seen('nonce-1')).toBe(false);
  });

  it('leaves out an event outside the callback window and says so', async () => {
    const { deps, sent, counted } = setup();
    const old = { ...locked, payload: { ...locked.payload, lastUpdatedAt: NOW - 73 * 3_600_000 } };

    const answer = await receiveKnoxCallback(callback(old), deps);

    expect(answer).toEqual({
      statusCode: 200,
      body: { result: 'SUCCESS', events: 0, failures: 0, outsideWindow: 1 },
    });
    expect(sent).toHaveLength(0);
    expect(counted.CallbackEventsOutsideWindow).toBe(1);
  });
});
