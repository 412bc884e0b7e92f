import { SQSClient } from '@aws-sdk/client-sqs';
import type { KnoxEventQueue } from '../../../lib/webhooks/KnoxEventQueue';
import { createSqsKnoxEventQueue } from '../../../lib/webhooks/sqsKnoxEventQueue';
import { AWS_CLIENT_CONFIG, boundByInvocation, invocationDeadline } from '../awsClientConfig';

// Loaded with `await import(...)` by functions/shared/runtime.ts on the first Knox callback: a
// chunk of its own holding the SQS client.

/** Kept free of retries at the end of the webhook's invocation, to answer (503 or 200) in time. */
const ANSWER_MARGIN_MS = 1_500;

/**
 * The Knox events queue on SQS, retrying per-entry failures until the invocation's deadline.
 *
 * @example
 * await knoxEventQueue(process.env.KNOX_EVENTS_QUEUE_URL).send(bodies);
 */
export function knoxEventQueue(queueUrl: string): KnoxEventQueue {
  // As for the operations queue (./sqsQueue.ts): with a local endpoint, send to the endpoint.
  const client = boundByInvocation(
    new SQSClient({ ...AWS_CLIENT_CONFIG, useQueueUrlAsEndpoint: !process.env.AWS_ENDPOINT_URL_SQS }),
  );
  return createSqsKnoxEventQueue({
    client,
    queueUrl,
    deadline: invocationDeadline(ANSWER_MARGIN_MS),
  });
}
