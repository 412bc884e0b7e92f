import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { type KnoxEventQueue, KnoxEventQueueError } from './KnoxEventQueue';
import { MAX_KNOX_EVENTS_MESSAGE_BYTES } from './knoxEventsMessage';

export interface SqsKnoxEventQueueOptions {
  readonly client: SQSClient;
  readonly queueUrl: string;
  /** SendMessageBatch attempts per group, 4 by default: the webhook must answer within 10 s. */
  readonly maxAttempts?: number;
  /** Epoch ms after which no retry is started (the invocation's deadline). */
  readonly deadline?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: () => number;
}

// SendMessageBatch: at most 10 entries and 256 KiB for all bodies together.
// https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessageBatch.html
const MAX_BATCH_ENTRIES = 10;

/**
 * A `KnoxEventQueue` on SQS: SendMessageBatch in groups of at most 10 entries and 256 KiB,
 * resending exactly the entries SQS reports as `Failed` (it answers 200 with per-entry failures)
 * with full-jitter backoff, until `maxAttempts` or the deadline. Whatever is still not queued
 * rejects with `KnoxEventQueueError`, so the webhook answers 503 and Knox redelivers the whole
 * callback; events queued by the first delivery are then queued again, and the consumer's
 * per-event idempotency processes them once.
 *
 * @example
 * const queue = createSqsKnoxEventQueue({ client: new SQSClient({}), queueUrl: process.env.KNOX_EVENTS_QUEUE_URL! });
 * await queue.send(packKnoxEvents(header, records));
 */
export function createSqsKnoxEventQueue(options: SqsKnoxEventQueueOptions): KnoxEventQueue {
  const maxAttempts = options.maxAttempts ?? 4;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const random = options.random ?? Math.random;
  const deadline = options.deadline ?? (() => Number.POSITIVE_INFINITY);
  return {
    async send(bodies) {
      let queued = 0;
      for (const group of groups(bodies)) {
        let pending = group.map((body, index) => ({ id: String(index), body }));
        for (let attempt = 1; ; attempt += 1) {
          let failed: Set<string>;
          let cause: unknown;
          try {
            const answer = await options.client.send(
              new SendMessageBatchCommand({
                QueueUrl: options.queueUrl,
                Entries: pending.map(({ id, body }) => ({ Id: id, MessageBody: body })),
              }),
            );
            failed = new Set((answer.Failed ?? []).map((entry) => entry.Id ?? ''));
            cause = answer.Failed?.[0];
          } catch (error) {
            failed = new Set(pending.map(({ id }) => id));
            cause = error;
          }
          queued += pending.length - failed.size;
          pending = pending.filter(({ id }) => failed.has(id));
          if (pending.length === 0) break;
          const wait = random() * Math.min(1_000, 50 * 2 ** attempt);
          if (attempt >= maxAttempts || Date.now() + wait >= deadline()) {
            const notQueued = bodies.length - queued;
            throw new KnoxEventQueueError(
              `SQS did not take ${notQueued} of ${bodies.length} Knox events message(s) after ${attempt} attempt(s)`,
              { queued, notQueued },
              { cause },
            );
          }
          await sleep(wait);
        }
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
