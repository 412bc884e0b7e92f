import { describe, expect, it } from 'vitest';
import {
  contentRefusedAnswer,
  queuePartialAnswer,
  readOperationRequest,
  requestUnansweredAnswer,
  signOperationRequest,
} from '../../../lib/webhooks';

const SECRET = 'unit-secret';
const BODY = '{"operation":"unlock","deviceUids":["356938035643809"]}';
const quiet = { log: { info() {}, warn() {}, error() {} }, count() {} };

function read(body: string, sign: Parameters<typeof signOperationRequest>[0] | undefined, extra = {}) {
  const headers = {
    'content-type': 'application/json',
    ...(sign ? signOperationRequest(sign) : {}),
    ...extra,
  };
  return readOperationRequest({ headers, body: Buffer.from(body) }, [SECRET], quiet);
}

describe('readOperationRequest', () => {
  it('derives the key from the signed request when the client sent none', () => {
    const stale = read(BODY, { body: BODY, secret: SECRET, timestamp: 1_764_500_000 });
    const reading = read(BODY, { body: BODY, secret: SECRET });

    expect(reading.ok).toBe(true);
    if (!reading.ok) return;
    expect(reading.payload).toMatchObject({ body: BODY, keyDerived: true });
    expect(reading.payload.idempotencyKey).toBe(`sig-${reading.requestDigest.slice(0, 40)}`);
    expect(reading.payload.bodyHash).toMatch(/^[0-9a-f]{64}$/);
    expect(stale.ok).toBe(false); // a timestamp from 2025 is outside the window
  });

  it('reads a body that starts with a UTF-8 BOM (signed over the raw bytes) as the JSON after it', () => {
    const withBom = `\uFEFF${BODY}`;
    const reading = read(withBom, { body: withBom, secret: SECRET });
    const plain = read(BODY, { body: BODY, secret: SECRET });

    expect(reading.ok && reading.payload.body).toBe(BODY);
    expect(reading.ok && reading.payload.bodyHash).toBe(plain.ok && plain.payload.bodyHash);
  });

  it('refuses a body nested deeper than 64 levels with 400 INVALID_JSON', () => {
    const deep = `{"operation":"unlock","deviceUids":${'['.repeat(64)}${']'.repeat(64)}}`;
    const reading = read(deep, { body: deep, secret: SECRET });

    expect(reading.ok).toBe(false);
    expect(!reading.ok && reading.answer.statusCode).toBe(400);
    expect(!reading.ok && reading.answer.body).toMatchObject({ error: { message: 'INVALID_JSON' } });
  });

  it("takes the client's signed Idempotency-Key", () => {
    const reading = read(BODY, { body: BODY, secret: SECRET, idempotencyKey: 'invoice-4711' });

    expect(reading.ok && reading.payload).toMatchObject({
      idempotencyKey: 'invoice-4711',
      keyDerived: false,
    });
  });

  it.each([
    ['unsigned', BODY, undefined, {}, 401, 'SIGNATURE_MISSING'],
    ['signed with another secret', BODY, { body: BODY, secret: 'other' }, {}, 401, 'SIGNATURE_INVALID'],
    ['not JSON', '{"op', { body: '{"op', secret: SECRET }, {}, 400, 'INVALID_JSON'],
    [
      'an unknown operation',
      '{"operation":"explode","deviceUids":["356938035643809"]}',
      { body: '{"operation":"explode","deviceUids":["356938035643809"]}', secret: SECRET },
      {},
      400,
      'UNKNOWN_OPERATION',
    ],
    [
      'a key with a space',
      BODY,
      { body: BODY, secret: SECRET },
      { 'idempotency-key': 'a b' },
      400,
      'VALIDATION_FAILED',
    ],
    [
      'a 201-character key',
      BODY,
      { body: BODY, secret: SECRET },
      { 'idempotency-key': 'k'.repeat(201) },
      400,
      'VALIDATION_FAILED',
    ],
  ] as const)('answers %s with %i %s', (_, body, sign, extra, status, message) => {
    const reading = read(body, sign, extra);

    expect(reading.ok).toBe(false);
    if (reading.ok) return;
    expect(reading.answer.statusCode).toBe(status);
    expect(reading.answer.body).toMatchObject({ result: 'FAIL', error: { message } });
  });
});

describe('operation request answers', () => {
  const derived = { body: BODY, bodyHash: 'h', idempotencyKey: 'sig-abc', keyDerived: true };
  const sent = { ...derived, idempotencyKey: 'invoice-1', keyDerived: false };

  it('a partial queue names the operation, the queued share and the retry with the derived key', () => {
    const answer = queuePartialAnswer({ operationId: 'op-1', chunks: 3, notQueued: [2] }, derived);

    expect(answer.statusCode).toBe(503);
    expect(answer.headers).toEqual({ 'retry-after': '5' });
    expect(answer.body).toMatchObject({
      operationId: 'op-1',
      idempotencyKey: 'sig-abc',
      error: { code: '5030001' },
    });
    expect(JSON.stringify(answer.body)).toContain('2 of 3 chunks of operation op-1');
    expect(JSON.stringify(answer.body)).toContain('Idempotency-Key: sig-abc');
  });

  it('nothing queued says so; a client key is advised as "the same Idempotency-Key"', () => {
    const answer = queuePartialAnswer({ operationId: 'op-1', chunks: 2, notQueued: [0, 1] }, sent);

    expect(JSON.stringify(answer.body)).toContain('Nothing was queued');
    expect(JSON.stringify(answer.body)).toContain('the same Idempotency-Key');
  });

  it('content SQS refused is a 400, never a 503', () => {
    const answer = contentRefusedAnswer(
      { operationId: 'op-1', chunks: 1, notQueued: [0] },
      'InvalidMessageContents',
    );

    expect(answer.statusCode).toBe(400);
    expect(JSON.stringify(answer.body)).toContain('InvalidMessageContents');
  });

  it('an unanswered request is a 503 that carries the key to retry with', () => {
    const answer = requestUnansweredAnswer(derived);

    expect(answer.statusCode).toBe(503);
    expect(answer.body).toMatchObject({ idempotencyKey: 'sig-abc', error: { message: 'QUEUE_PARTIAL' } });
  });
});
