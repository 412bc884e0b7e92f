// Every SQS handler logs each record it fails on, by messageId, receive count and error, before
// the partial batch response hands it back to SQS (break-it pass, item 2: runFailures reported a
// failed record with no log line naming it). The packaged handlers, invoked with real SQS events.
// runFailures turns even an unreadable record into an alert, so its record fails the way it can in
// AWS: SNS refuses the publish (a loopback server answering 403 stands in for SNS).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EmbeddedStack, lambdaContext, sqsEvent, startEmbeddedStack } from '../../local/embedded';
import { captureOutput } from '../helpers/captureOutput';

let env: EmbeddedStack;
let refusingSns: Server;

beforeAll(async () => {
  env = await startEmbeddedStack({ stage: 'records', simulator: { seed: 'empty' }, logLevel: 'ERROR' });
  refusingSns = createServer((_request, response) => {
    response
      .writeHead(403, { 'content-type': 'text/xml' })
      .end(
        '<ErrorResponse><Error><Type>Sender</Type><Code>AuthorizationError</Code><Message>refused</Message></Error></ErrorResponse>',
      );
  });
  await new Promise<void>((resolve) => refusingSns.listen(0, '127.0.0.1', resolve));
  // Read when the handlers create their SNS client (on the first publish, after this line).
  process.env.AWS_ENDPOINT_URL_SNS = `http://127.0.0.1:${(refusingSns.address() as AddressInfo).port}`;
}, 120_000);

afterAll(async () => {
  await env?.close();
  await new Promise((resolve) => refusingSns?.close(resolve));
});

/** How `run` settled, and the JSON log records written to stdout and stderr while it ran. */
async function capturedLogs(
  run: () => Promise<unknown>,
): Promise<{ outcome: PromiseSettledResult<unknown>; records: Record<string, unknown>[] }> {
  const output = captureOutput();
  try {
    const [outcome] = await Promise.allSettled([run()]);
    return { outcome: outcome as PromiseSettledResult<unknown>, records: output.records() };
  } finally {
    output.restore();
  }
}

describe('a failed SQS record is logged by every SQS handler (packaged bundles)', () => {
  it.each([
    ['runFailures', 'run failure record'],
    ['operationWorker', 'chunk'],
    ['knoxEvents', 'Knox events message'],
  ] as const)('%s logs the messageId and error of a record that is not JSON', async (name, what) => {
    const queueArn = {
      runFailures: env.stack.runFailures.queueArn,
      operationWorker: env.stack.queueArn,
      knoxEvents: env.stack.knoxEvents.queueArn,
    }[name];
    const messageId = `not-json-${name}`;
    const event = sqsEvent(queueArn, [{ MessageId: messageId, Body: 'not json' }]);

    const { outcome, records } = await capturedLogs(async () =>
      env.handlers[name](event, lambdaContext(name, 30_000)),
    );

    // The batch's only record failed: Powertools rejects the whole batch (SQS redelivers it).
    expect(outcome.status).toBe('rejected');
    expect(outcome.status === 'rejected' && (outcome.reason as Error).name).toBe('FullBatchFailureError');
    const logged = records.filter((record) => record.messageId === messageId);
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatchObject({
      level: 'ERROR',
      message: `${what} failed; SQS will redeliver it`,
      receiveCount: '1',
      error: { name: expect.any(String), message: expect.any(String) },
    });
  });
});
