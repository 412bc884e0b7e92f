// The webhook's routes, unit level: the router answers unknown paths (404) and methods (405), each
// route's body checks answer 413/415 before any signature work, and a request that reaches a route
// is answered by that route (401 from its own signature check). Powertools' makeIdempotent is
// stubbed so the accepted path needs no state table; the stub counts how often the idempotent
// wrappers are made (once per execution environment, not per request). The packaged bundle is
// tested with real events in test/e2e/webhookRoutes.test.ts.
import { generateKeyPairSync } from 'node:crypto';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { knoxCallbackHeaders, signOperationRequest } from '../../../lib/webhooks';
import { httpApiEvent, lambdaContext } from '../../../local/embedded';

const made = vi.hoisted(() => ({ wrappers: 0 }));

vi.mock('@aws-lambda-powertools/idempotency', async (importOriginal) => {
  const actual = await importOriginal<typeof import('@aws-lambda-powertools/idempotency')>();
  return {
    ...actual,
    makeIdempotent: () => {
      made.wrappers += 1;
      return async (payload: { key: string }) => ({
        statusCode: 202,
        body: JSON.stringify({ key: payload.key }),
      });
    },
  };
});

type Handler = (
  event: APIGatewayProxyEventV2,
  context: Context,
) => Promise<APIGatewayProxyStructuredResultV2>;

const SECRET = 'unit-hmac-secret';
const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const savedEnv = { ...process.env };
let handler: Handler;

beforeAll(async () => {
  Object.assign(process.env, {
    STAGE: 'unit',
    STATE_TABLE: 'unit-state',
    ALERT_TOPIC_ARN: 'arn:aws:sns:us-east-1:000000000000:unit-alerts',
    OPERATIONS_QUEUE_URL: 'http://127.0.0.1:9/000000000000/unit-operations',
    OPERATIONS_HMAC_SECRET: SECRET,
    KNOX_VALIDATION_CERT_PEM: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    POWERTOOLS_METRICS_DISABLED: 'true',
    POWERTOOLS_LOG_LEVEL: 'CRITICAL',
  });
  vi.resetModules();
  ({ handler } = (await import('../../../functions/webhook')) as unknown as { handler: Handler });
});

afterAll(() => {
  process.env = savedEnv;
});

async function send(
  method: string,
  path: string,
  body: string | undefined,
  headers: Record<string, string> = { 'content-type': 'application/json' },
) {
  const answer = await handler(httpApiEvent(method, path, headers, body), lambdaContext('webhook', 10_000));
  return {
    status: answer.statusCode,
    headers: answer.headers ?? {},
    body: JSON.parse(answer.body ?? 'null'),
  };
}

const envelope = (message: string) => ({
  result: 'FAIL',
  error: { code: expect.any(String), message, reason: expect.any(String) },
});
const operation = '{"operation":"unlock","deviceUids":["356938035643809"]}';

describe('webhook router', () => {
  it.each([
    ['POST', '/nope'],
    ['GET', '/'],
    ['POST', '/operations/extra'],
    ['DELETE', '/knox'],
  ])('answers %s %s with 404 NOT_FOUND in the Knox-style envelope', async (method, path) => {
    const answer = await send(method, path, operation);

    expect(answer.status).toBe(404);
    expect(answer.body).toEqual(envelope('NOT_FOUND'));
    expect(answer.body.error.code).toBe('4040000');
  });

  it.each([
    ['GET', '/operations'],
    ['PUT', '/operations'],
    ['DELETE', '/knox/notifications'],
    ['TRACE', '/knox/notifications'],
  ])('answers %s %s with 405 METHOD_NOT_ALLOWED and allow: POST', async (method, path) => {
    const answer = await send(method, path, operation);

    expect(answer.status).toBe(405);
    expect(answer.headers.allow).toBe('POST');
    expect(answer.body).toEqual(envelope('METHOD_NOT_ALLOWED'));
  });

  it('answers an event without requestContext.http with 405 (its rawPath is a route), not the 503 of a thrown router error', async () => {
    const event = httpApiEvent('POST', '/operations', { 'content-type': 'application/json' }, operation);
    const { http: _http, ...requestContext } = event.requestContext;

    const answer = await handler(
      { ...event, requestContext: requestContext as APIGatewayProxyEventV2['requestContext'] },
      lambdaContext('webhook', 10_000),
    );

    expect(answer.statusCode).toBe(405);
    expect(JSON.parse(answer.body ?? '')).toEqual(envelope('METHOD_NOT_ALLOWED'));
  });
});

describe.each(['/operations', '/knox/notifications'])('POST %s body checks', (path) => {
  it('answers a body over 1 MiB with 413 PAYLOAD_TOO_LARGE, also when base64-encoded', async () => {
    const big = `"${'x'.repeat(1024 * 1024)}"`;
    const plain = await send('POST', path, big);
    const encoded = await handler(
      httpApiEvent('POST', path, { 'content-type': 'application/json' }, big, { base64: true }),
      lambdaContext('webhook', 10_000),
    );

    expect(plain.status).toBe(413);
    expect(plain.body).toEqual(envelope('PAYLOAD_TOO_LARGE'));
    expect(encoded.statusCode).toBe(413);
  });

  it.each([['text/plain'], ['application/xml'], ['']])(
    'answers content-type "%s" with 415 UNSUPPORTED_MEDIA_TYPE',
    async (contentType) => {
      const answer = await send('POST', path, operation, contentType ? { 'content-type': contentType } : {});

      expect(answer.status).toBe(415);
      expect(answer.body).toEqual(envelope('UNSUPPORTED_MEDIA_TYPE'));
    },
  );

  it('takes a trailing slash and a mixed-case Content-Type header', async () => {
    const answer = await send('POST', `${path}/`, operation, { 'Content-Type': 'application/json' });

    expect(answer.status).toBe(401);
  });
});

describe('POST /operations', () => {
  it('is answered by the operations route: unsigned is 401 SIGNATURE_MISSING', async () => {
    const answer = await send('POST', '/operations', operation);

    expect(answer.status).toBe(401);
    expect(answer.body).toEqual(envelope('SIGNATURE_MISSING'));
  });

  it('checks the signature before the JSON: signed garbage is 400 INVALID_JSON', async () => {
    const body = '{"operation":';
    const answer = await send('POST', '/operations', body, {
      'content-type': 'application/json',
      ...signOperationRequest({ body, secret: SECRET }),
    });

    expect(answer.status).toBe(400);
    expect(answer.body).toEqual(envelope('INVALID_JSON'));
  });

  it('makes its two idempotent wrappers once, not per request', async () => {
    const before = made.wrappers;
    for (const key of ['invoice-1', 'invoice-2', 'invoice-3']) {
      const answer = await send('POST', '/operations', operation, {
        'content-type': 'application/json',
        ...signOperationRequest({ body: operation, secret: SECRET, idempotencyKey: key }),
      });
      expect(answer.status).toBe(202);
      expect(answer.body.key).toMatch(/^operations#signed#/);
    }

    expect(made.wrappers - before).toBe(2);
    expect(made.wrappers).toBe(2);
  });
});

describe('POST /knox/notifications', () => {
  it('is answered by the callback route: unsigned is 401 SIGNATURE_MISSING', async () => {
    const answer = await send('POST', '/knox/notifications', '{"event":"KG_DEVICE_LOCKED"}');

    expect(answer.status).toBe(401);
    expect(answer.body).toEqual(envelope('SIGNATURE_MISSING'));
  });

  it('verifies the signature before the JSON: a signed non-JSON body is 400 INVALID_JSON', async () => {
    const body = 'not json';
    const headers = knoxCallbackHeaders(body, privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
    const answer = await send('POST', '/knox/notifications', body, {
      'content-type': 'application/json',
      ...headers,
    });

    expect(answer.status).toBe(400);
    expect(answer.body).toEqual(envelope('INVALID_JSON'));
  });
});
