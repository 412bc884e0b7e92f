import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { afterEach, describe, expect, it } from 'vitest';
import { AWS_CLIENT_CONFIG, boundByInvocation } from '../../../functions/shared/awsClientConfig';
import { setInvocation } from '../../../functions/shared/invocation';

let server: Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined));
  server = undefined;
});

describe('AWS SDK clients of the functions', () => {
  it('start from bounded attempts and per-attempt timeouts', async () => {
    const client = new DynamoDBClient({ ...AWS_CLIENT_CONFIG, region: 'us-east-1' });
    expect(await client.config.maxAttempts()).toBe(3);
    expect((await client.config.retryStrategy()) as { mode?: string }).toMatchObject({ mode: 'standard' });
    expect(AWS_CLIENT_CONFIG.requestHandler).toEqual({ connectionTimeout: 2_000, requestTimeout: 5_000 });
    client.destroy();
  });

  it('abort a call to an endpoint that never answers when the invocation is about to end', async () => {
    // Prepare: a loopback server that accepts requests and never answers them.
    let requests = 0;
    server = createServer(() => {
      requests += 1;
    });
    await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
    const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const client = boundByInvocation(
      new DynamoDBClient({
        ...AWS_CLIENT_CONFIG,
        region: 'us-east-1',
        endpoint,
        credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      }),
    );
    setInvocation({ getRemainingTimeInMillis: () => 1_500 });

    // Act
    const call = client.send(new GetItemCommand({ TableName: 't', Key: { pk: { S: 'x' } } }));

    // Assess: aborted by the invocation's deadline, not retried after it.
    await expect(call).rejects.toMatchObject({ name: expect.stringMatching(/Abort|Timeout/) });
    expect(requests).toBe(1);
    client.destroy();
  });

  it("stop the SDK's own retries of a failing endpoint at the invocation's deadline", async () => {
    // Prepare: a loopback server that answers every request 503 (a retryable server error), and a
    // client allowed far more attempts than fit before the deadline (3 s left, 1 s kept free).
    let requests = 0;
    server = createServer((_request, response) => {
      requests += 1;
      response.writeHead(503, { 'content-type': 'application/x-amz-json-1.0' });
      response.end(
        JSON.stringify({ __type: 'com.amazonaws.dynamodb.v20120810#ServiceUnavailable', message: 'x' }),
      );
    });
    await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
    const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const client = boundByInvocation(
      new DynamoDBClient({
        ...AWS_CLIENT_CONFIG,
        maxAttempts: 50,
        region: 'us-east-1',
        endpoint,
        credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      }),
    );
    setInvocation({ getRemainingTimeInMillis: () => 3_000 });

    // Act
    const call = client.send(new GetItemCommand({ TableName: 't', Key: { pk: { S: 'x' } } }));

    // Assess: the SDK retried (its job), and the deadline's abort, not the attempt count, ended it.
    await expect(call).rejects.toMatchObject({ name: 'AbortError' });
    expect(requests).toBeGreaterThan(1);
    expect(requests).toBeLessThan(50);
    client.destroy();
  });

  it("leave a caller's own abortSignal alone", async () => {
    const seen: unknown[] = [];
    const client = boundByInvocation({
      send: async (_command: never, options?: { abortSignal?: AbortSignal }) => {
        seen.push(options?.abortSignal);
      },
    });
    setInvocation({ getRemainingTimeInMillis: () => 60_000 });
    const own = new AbortController().signal;
    await client.send(undefined as never, { abortSignal: own });
    await client.send(undefined as never);
    expect(seen[0]).toBe(own);
    expect(seen[1]).toBeInstanceOf(AbortSignal);
    expect(seen[1]).not.toBe(own);
  });
});
