// The packaged webhook's router with real HTTP API events: an unknown path is 404, a wrong method
// 405 (with allow), a body the route cannot take 413/415, and a signed non-JSON body 400, each in
// the Knox-style envelope; whatever the method and path, never a 5xx, and nothing is queued.
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { knoxCallbackHeaders, signOperationRequest } from '../../lib/webhooks';
import { type EmbeddedStack, httpApiEvent, lambdaContext, startEmbeddedStack } from '../../local/embedded';

let env: EmbeddedStack;
let sqs: SQSClient;

beforeAll(async () => {
  env = await startEmbeddedStack({ stage: 'routes', simulator: { seed: 'empty' }, logLevel: 'CRITICAL' });
  sqs = new SQSClient({ ...env.aws.clientConfig('sqs'), useQueueUrlAsEndpoint: false });
}, 120_000);

afterAll(async () => {
  sqs?.destroy();
  await env?.close();
});

async function send(method: string, path: string, body: string, headers: Record<string, string>) {
  const answer = await env.handlers.webhook(
    httpApiEvent(method, path, headers, body),
    lambdaContext('webhook', 10_000),
  );
  return {
    status: answer.statusCode,
    headers: answer.headers ?? {},
    body: JSON.parse(answer.body as string),
  };
}

const json = { 'content-type': 'application/json' };
const operation = '{"operation":"unlock","deviceUids":["356938035643809"]}';

describe('webhook routes (packaged bundle)', () => {
  it.each([
    ['GET', '/', 404, 'NOT_FOUND'],
    ['POST', '/operation', 404, 'NOT_FOUND'],
    ['POST', '/knox/notifications/extra', 404, 'NOT_FOUND'],
    ['GET', '/operations', 405, 'METHOD_NOT_ALLOWED'],
    ['PATCH', '/knox/notifications', 405, 'METHOD_NOT_ALLOWED'],
  ])('%s %s: %i %s', async (method, path, status, message) => {
    const answer = await send(method, path, operation, json);

    expect(answer.status).toBe(status);
    expect(answer.body).toEqual({
      result: 'FAIL',
      error: { code: `${status}0000`, message, reason: expect.stringContaining(path) },
    });
    if (status === 405) expect(answer.headers.allow).toBe('POST');
  });

  it.each(['/operations', '/knox/notifications'])(
    'POST %s: 415 for text/plain, 413 over 1 MiB',
    async (path) => {
      const text = await send('POST', path, operation, { 'content-type': 'text/plain' });
      const big = await send('POST', path, `"${'x'.repeat(1024 * 1024)}"`, json);

      expect(text.status).toBe(415);
      expect(text.body.error).toMatchObject({ code: '4150000', message: 'UNSUPPORTED_MEDIA_TYPE' });
      expect(big.status).toBe(413);
      expect(big.body.error).toMatchObject({ code: '4130000', message: 'PAYLOAD_TOO_LARGE' });
    },
  );

  it('answers a signed body that is not JSON with 400 INVALID_JSON on both routes', async () => {
    const body = '{"operation":';
    const operations = await send('POST', '/operations', body, {
      ...json,
      ...signOperationRequest({ body, secret: env.hmacSecret }),
    });
    const callback = await send(
      'POST',
      '/knox/notifications',
      body,
      knoxCallbackHeaders(body, env.callbackSigningKeyPem),
    );

    expect(operations.status).toBe(400);
    expect(operations.body.error).toMatchObject({ code: '4000001', message: 'INVALID_JSON' });
    expect(callback.status).toBe(400);
    expect(callback.body.error).toMatchObject({ code: '4000001', message: 'INVALID_JSON' });
  });

  it.each([true, false])(
    'answers a signed Knox callback nested 200,000 deep (eventId: %s) with 400 INVALID_JSON, not a 503 Knox would retry (break-it pass, item 1)',
    async (withId) => {
      const body = `{${withId ? '"eventId":"deep-1",' : ''}"event":"KG_DEVICE_LOCKED","x":${'['.repeat(200_000)}${']'.repeat(200_000)}}`;
      const answer = await send(
        'POST',
        '/knox/notifications',
        body,
        knoxCallbackHeaders(body, env.callbackSigningKeyPem),
      );

      expect(answer.status).toBe(400);
      expect(answer.body).toEqual({
        result: 'FAIL',
        error: {
          code: '4000001',
          message: 'INVALID_JSON',
          reason: expect.stringContaining('deeper than 64'),
        },
      });
    },
  );

  it.each(['/operations', '/knox/notifications'])(
    'POST %s: 415 for a media type that only starts with application/json, past the check for JSON ones (break-it pass, item 3)',
    async (path) => {
      for (const contentType of [
        'application/json-seq',
        'application/json, text/plain',
        'application/jsonx',
      ]) {
        const refused = await send('POST', path, operation, { 'content-type': contentType });
        expect(refused.status, contentType).toBe(415);
        expect(refused.body.error).toMatchObject({ code: '4150000', message: 'UNSUPPORTED_MEDIA_TYPE' });
      }
      // Unsigned: a JSON media type gets past the body checks to the signature check (401).
      for (const contentType of [
        'application/json; charset=utf-8',
        'APPLICATION/JSON',
        'application/vnd.x+json',
      ]) {
        const passed = await send('POST', path, operation, { 'content-type': contentType });
        expect(passed.status, contentType).toBe(401);
      }
    },
  );

  it.each([
    ['POST', '/operations//', 404],
    ['GET', '/operations/', 405],
    ['POST', '/knox//notifications', 404],
  ])('%s %s: the reason names the path as sent (break-it pass, item 5)', async (method, path, status) => {
    const answer = await send(method, path, operation, json);

    expect(answer.status).toBe(status);
    expect(answer.body.error.reason).toContain(JSON.stringify(path));
  });

  it('answers any method and path other than the two routes with a 404 or 405 envelope, never a 5xx', async () => {
    const method = fc.oneof(
      fc.constantFrom('GET', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD', 'TRACE', 'CONNECT'),
      fc.string({ minLength: 1, maxLength: 10 }),
    );
    const path = fc.oneof(
      fc.constantFrom('/operations', '/knox/notifications', '/operations/', '/knox'),
      fc.webPath().map((p) => (p.startsWith('/') ? p : `/${p}`)),
      fc.string().map((s) => `/${s}`),
    );
    await fc.assert(
      fc.asyncProperty(method, path, fc.string(), async (m, p, body) => {
        fc.pre(m !== 'POST');
        const answer = await send(m, p, body, json);
        const known = ['/operations', '/knox/notifications'].includes(p.replace(/(.)\/$/, '$1'));

        expect(answer.status).toBe(known ? 405 : 404);
        expect(answer.body).toMatchObject({ result: 'FAIL', error: { code: known ? '4050000' : '4040000' } });
      }),
      { numRuns: 200 },
    );
  });

  it('queued nothing', async () => {
    for (const queueUrl of [env.stack.queueUrl, env.stack.knoxEvents.queueUrl]) {
      const { Attributes } = await sqs.send(
        new GetQueueAttributesCommand({
          QueueUrl: queueUrl,
          AttributeNames: ['ApproximateNumberOfMessages'],
        }),
      );
      expect(Number(Attributes?.ApproximateNumberOfMessages ?? 0)).toBe(0);
    }
  });
});
