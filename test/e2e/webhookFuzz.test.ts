// Property test of the packaged webhook handler: whatever arrives (any body, content type,
// encoding and signature headers, signed or not), the answer is a 2xx or a 4xx in the Knox-style
// envelope, never a 5xx or a rejection, and nothing is queued that should not be.
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signOperationRequest } from '../../lib/webhooks';
import { signKnoxCallback } from '../../lib/webhooks/signKnoxCallback';
import { type EmbeddedStack, httpApiEvent, lambdaContext, startEmbeddedStack } from '../../local/embedded';

let env: EmbeddedStack;
let sqs: SQSClient;
/** Chunk messages the accepted (202) requests said they queued. */
let acceptedChunks = 0;

beforeAll(async () => {
  env = await startEmbeddedStack({ stage: 'fuzz', simulator: { seed: 'empty' }, logLevel: 'CRITICAL' });
  sqs = new SQSClient({ ...env.aws.clientConfig('sqs'), useQueueUrlAsEndpoint: false });
}, 120_000);

afterAll(async () => {
  sqs?.destroy();
  await env?.close();
});

const operationBody = fc.oneof(
  fc.string(),
  fc.json(),
  fc
    .record(
      {
        operation: fc.oneof(fc.constantFrom('lock', 'unlock', 'blink', 'explode'), fc.string()),
        deviceUids: fc.oneof(fc.array(fc.string(), { maxLength: 3 }), fc.anything()),
        message: fc.oneof(fc.string({ maxLength: 400 }), fc.anything()),
        tel: fc.string(),
        email: fc.string(),
      },
      { requiredKeys: [] },
    )
    .map((value) => JSON.stringify(value)),
);

describe('webhook handler (property, packaged bundle)', () => {
  it('answers arbitrary operation requests with 4xx envelopes, never a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(
        operationBody,
        fc.constantFrom('application/json', 'application/json; charset=utf-8', 'text/plain', ''),
        fc.boolean(),
        fc.boolean(),
        async (body, contentType, sign, base64) => {
          const headers: Record<string, string> = contentType ? { 'content-type': contentType } : {};
          if (sign) Object.assign(headers, signOperationRequest({ body, secret: env.hmacSecret }));
          const answer = await env.handlers.webhook(
            httpApiEvent('POST', '/operations', headers, body, { base64 }),
            lambdaContext('webhook', 10_000),
          );
          const status = answer.statusCode ?? 0;
          expect(status === 202 || (status >= 400 && status < 500)).toBe(true);
          const parsed = JSON.parse(answer.body as string);
          if (status === 202) acceptedChunks += parsed.chunks;
          else expect(parsed).toMatchObject({ result: 'FAIL', error: { code: expect.any(String) } });
          if (!sign) expect(status).toBe(contentType.startsWith('application/json') ? 401 : 415);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('answers arbitrary Knox callbacks with 200 or a 4xx envelope, and unsigned ones with 401', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.string(), fc.json()), fc.boolean(), async (body, sign) => {
        const headers: Record<string, string> = { 'content-type': 'application/json' };
        if (sign) headers['x-knox-signature'] = signKnoxCallback(body, env.callbackSigningKeyPem);
        const answer = await env.http('/knox/notifications', body, headers);
        const status = answer.statusCode ?? 0;
        expect(status === 200 || (status >= 400 && status < 500)).toBe(true);
        if (!sign) expect(status).toBe(401);
      }),
      { numRuns: 300 },
    );
  });

  it('queued exactly the chunks of the accepted requests and nothing for the rejected ones', async () => {
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: env.stack.queueUrl,
        AttributeNames: ['ApproximateNumberOfMessages'],
      }),
    );
    expect(Number(Attributes?.ApproximateNumberOfMessages ?? 0)).toBe(acceptedChunks);
  });
});
