import { remainingTime } from './invocation';

/**
 * Settings every AWS SDK client the functions create starts from: the SDK's `standard` retry mode
 * with 3 attempts (full-jitter backoff, retry quota; it retries whole calls that throttle, time
 * out or answer 5xx, so our code does not), and a bounded connect and answer time per attempt
 * (`requestHandler` in the options-object form of @smithy/node-http-handler). Without them a
 * request to an endpoint that accepts and then stalls waits for the Lambda timeout, and a claim or
 * a chunk is held until then. `boundByInvocation` adds the deadline: the SDK's backoff waits and
 * attempts end when the invocation's abort signal fires. Per-entry failures of a batch call are
 * not the SDK's to retry: `lib/aws` `resendFailedEntries`.
 * Sources: https://docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior.html (retry
 * modes, max attempts), https://docs.aws.amazon.com/sdk-for-javascript/v3/developer-guide/node-configuring-maxsockets.html
 * and https://docs.aws.amazon.com/sdk-for-javascript/v3/developer-guide/setting-region.html
 * (client configuration); timeouts: `NodeHttpHandlerOptions` of @smithy/node-http-handler.
 *
 * @example
 * const sns = boundByInvocation(new SNSClient({ ...AWS_CLIENT_CONFIG }));
 */
export const AWS_CLIENT_CONFIG = {
  maxAttempts: 3,
  retryMode: 'standard',
  requestHandler: { connectionTimeout: 2_000, requestTimeout: 5_000 },
} as const;

/** Kept free at the end of an invocation: a call aborted by its deadline still needs to report. */
const ABORT_MARGIN_MS = 1_000;

type Sendable = { send(command: never, options?: { abortSignal?: AbortSignal }): Promise<unknown> };

/**
 * Makes every `send` of `client` abort when the running invocation is about to end (its
 * remaining time minus a second), unless the caller passes an `abortSignal` of its own; outside
 * an invocation (`registerInvocation` not called) calls are bounded by `AWS_CLIENT_CONFIG` only.
 * The SDK's retry step races its backoff waits against the same signal, so its own retries stop
 * at the deadline too, not only the attempt in flight. Answers the same client.
 *
 * @example
 * const dynamo = boundByInvocation(new DynamoDBClient({ ...AWS_CLIENT_CONFIG }));
 */
export function boundByInvocation<C extends Sendable>(client: C): C {
  const send = client.send.bind(client) as (command: unknown, options?: object) => Promise<unknown>;
  const bounded = (command: unknown, options?: { abortSignal?: AbortSignal }) => {
    const left = remainingTime();
    if (left === undefined || options?.abortSignal) return send(command, options);
    return send(command, {
      ...options,
      abortSignal: AbortSignal.timeout(Math.max(1, left - ABORT_MARGIN_MS)),
    });
  };
  Object.assign(client, { send: bounded });
  return client;
}

/**
 * The running invocation's deadline less `marginMs`, as epoch ms, read afresh on every call;
 * `Infinity` outside an invocation. For the batch resenders (`createSqsChunkQueue`,
 * `createSqsKnoxEventQueue`): no resend wait ends past it.
 *
 * @example
 * createSqsKnoxEventQueue({ client, queueUrl, deadline: invocationDeadline(1_500) });
 */
export function invocationDeadline(marginMs: number): () => number {
  return () => {
    const left = remainingTime();
    return left === undefined ? Number.POSITIVE_INFINITY : Date.now() + left - marginMs;
  };
}
