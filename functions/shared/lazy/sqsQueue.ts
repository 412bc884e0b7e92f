import { SQSClient } from '@aws-sdk/client-sqs';
import type { ChunkQueue } from '../../../lib/operations';
import { createSqsChunkQueue } from '../../../lib/operations/sqsChunkQueue';
import { AWS_CLIENT_CONFIG, boundByInvocation, invocationDeadline } from '../awsClientConfig';

// Loaded with `await import(...)` by functions/shared/runtime.ts on the first send: a chunk of its
// own holding the SQS client, parsed only by invocations that queue work.

/** Kept free of resend waits at the end of the invocation: a chunk not queued must still be reported. */
const QUEUE_MARGIN_MS = 1_000;

/**
 * The operations queue on SQS, re-sending per-entry failures until the invocation's deadline.
 *
 * @example
 * await sqsQueue(process.env.OPERATIONS_QUEUE_URL).send([message]);
 */
export function sqsQueue(queueUrl: string): ChunkQueue {
  // fauxqs answers queue URLs on a host name of its own; with a local endpoint configured the
  // client must send to that endpoint rather than to the URL's host (AWS: the URL is the endpoint).
  const client = boundByInvocation(
    new SQSClient({ ...AWS_CLIENT_CONFIG, useQueueUrlAsEndpoint: !process.env.AWS_ENDPOINT_URL_SQS }),
  );
  return createSqsChunkQueue({ client, queueUrl, deadline: invocationDeadline(QUEUE_MARGIN_MS) });
}
