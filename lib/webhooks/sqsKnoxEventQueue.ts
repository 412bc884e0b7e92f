import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { resendFailedEntries } from '../aws';
import { type KnoxEventQueue, KnoxEventQueueError } from './KnoxEventQueue';
import { MAX_KNOX_EVENTS_MESSAGE_BYTES } from './knoxEventsMessage';

export interface SqsKnoxEventQueueOptions {
  readonly client: SQSClient;
  readonly queueUrl: string;
  /** SendMessageBatch attempts per group, 4 by default: the webhook must answer within 10 s. */
  readonly maxAttempts?: number;
  /** Epoch ms at which no resend wait may end (the invocation's deadline less the answer's time). */
  readonly deadline?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: () => number;
}

// SendMessageBatch: at most 10 entries and 256 KiB for all bodies together.
// https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessageBatch.html
const MAX_BATCH_ENTRIES = 10;

/**
 * A `KnoxEventQueue` on SQS: SendMessageBatch in groups of at most 10 entries and 256 KiB,
 * resending exactly the entries SQS reports as `Failed` (it answers 200 with per-entry failures;
 * `resendFailedEntries`, never a `SenderFault` entry) with full-jitter backoff, until `maxAttempts`
 * or the deadline. Whatever is still not queued rejects with `KnoxEventQueueError`, so the webhook answers 503 and Knox redelivers the whole
 * callback; events queued by the first delivery are then queued again, and the consumer's
 * per-event idempotency processes them once.
 *
 * @example
 * const queue = createSqsKnoxEventQueue({ client: new SQSClient({}), queueUrl: process.env.KNOX_EVENTS_QUEUE_URL! });
 * await queue.send(packKnoxEvents(header, records));
 */
export function createSqsKnoxEventQueue(options: SqsKnoxEventQueueOptions): KnoxEventQueue {
  const deadline = options.deadline ?? (() => Number.POSITIVE_INFINITY);
  return {
    async send(bodies) {
      let queued = 0;
      for (const group of groups(bodies)) {
        const result = await resendFailedEntries(group, {
          send: async (entries) => {
            const answer = await options.client.send(
              new SendMessageBatchCommand({
                QueueUrl: options.queueUrl,
                Entries: entries.map(({ id, value }) => ({ Id: id, MessageBody: value })),
              }),
            );
            return answer.Failed;
          },
          maxAttempts: options.maxAttempts ?? 4,
          // The webhook answers within 10 s: short waits, each ending before the deadline.
          baseDelayMs: 100,
          maxDelayMs: 1_000,
          deadline: deadline(),
          sleep: options.sleep,
          random: options.random,
        });
        queued += result.sent.length;
        if (result.sent.length === group.length) continue;
        const notQueued = bodies.length - queued;
        throw new KnoxEventQueueError(
          `SQS did not take ${notQueued} of ${bodies.length} Knox events message(s) after ${result.attempts} attempt(s)`,
          { queued, notQueued },
          { cause: result.lastError },
        );
      }
    },
  };
}

function groups(bodies: readonly string[]): string[][] {
  const result: string[][] = [];
  let current: string[] = [];
  let bytes = 0;
  for (const body of bodies) {
    const size = Buffer.byteLength(body);
    if (
      current.length > 0 &&
      (current.length === MAX_BATCH_ENTRIES || bytes + size > MAX_KNOX_EVENTS_MESSAGE_BYTES)
    ) {
      result.push(current);
      current = [];
      bytes = 0;
    }
    current.push(body);
    bytes += size;
  }
  if (current.length > 0) result.push(current);
  return result;
}
