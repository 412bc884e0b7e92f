import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { ChunkMessage } from './chunkMessage';
import type { ChunkQueue } from './ports';

/** Chunk messages SQS did not accept after every retry; the caller's invocation must fail. */
export class ChunkQueueError extends Error {
  readonly failedChunks: readonly number[];
  constructor(message: string, failedChunks: readonly number[], options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ChunkQueueError';
    this.failedChunks = failedChunks;
  }
}

export interface SqsChunkQueueOptions {
  readonly client: SQSClient;
  readonly queueUrl: string;
  readonly maxAttempts?: number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: () => number;
}

/**
 * A `ChunkQueue` on SQS: SendMessageBatch in groups of at most 10 entries and 256 KiB, retrying
 * the entries SQS reports as failed (it answers 200 with per-entry failures) with full-jitter
 * backoff, and throwing a
 * `ChunkQueueError` if any chunk is still not accepted, so no chunk is silently dropped.
 *
 * @example
 * const queue = createSqsChunkQueue({ client: new SQSClient({}), queueUrl: process.env.OPERATIONS_QUEUE_URL! });
 * await queue.send(messages);
 */
export function createSqsChunkQueue(options: SqsChunkQueueOptions): ChunkQueue {
  const maxAttempts = options.maxAttempts ?? 5;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const random = options.random ?? Math.random;
  return {
    async send(messages: readonly ChunkMessage[], sendOptions = {}) {
      for (const group of batches(messages)) {
        let pending = group.map((message, index) => ({ id: String(index), message }));
        for (let attempt = 1; pending.length > 0; attempt += 1) {
          let failedIds: Set<string>;
          try {
            const answer = await options.client.send(
              new SendMessageBatchCommand({
                QueueUrl: options.queueUrl,
                Entries: pending.map(({ id, message }) => ({
                  Id: id,
                  MessageBody: JSON.stringify(message),
                  DelaySeconds: sendOptions.delaySeconds,
                })),
              }),
            );
            failedIds = new Set((answer.Failed ?? []).map((entry) => entry.Id ?? ''));
          } catch (error) {
            if (attempt >= maxAttempts) {
              throw new ChunkQueueError(
                `SQS SendMessageBatch failed: ${(error as Error).message}`,
                chunksOf(pending),
                {
                  cause: error,
                },
              );
            }
            failedIds = new Set(pending.map(({ id }) => id));
          }
          pending = pending.filter(({ id }) => failedIds.has(id));
          if (pending.length === 0) break;
          if (attempt >= maxAttempts) {
            throw new ChunkQueueError(
              `SQS rejected ${pending.length} chunk message(s) after ${attempt} attempts`,
              chunksOf(pending),
            );
          }
          await sleep(random() * Math.min(5_000, 100 * 2 ** attempt));
        }
      }
    },
  };
}

// SendMessageBatch takes at most 10 entries and 256 KiB in total (the sum of the bodies), so large
// chunk messages (10,000 device ids are ~180 KB) go in smaller groups.
const MAX_BATCH_ENTRIES = 10;
const MAX_BATCH_BYTES = 262_144;

function batches(messages: readonly ChunkMessage[]): ChunkMessage[][] {
  const groups: ChunkMessage[][] = [];
  let current: ChunkMessage[] = [];
  let bytes = 0;
  for (const message of messages) {
    const size = Buffer.byteLength(JSON.stringify(message));
    if (current.length > 0 && (current.length === MAX_BATCH_ENTRIES || bytes + size > MAX_BATCH_BYTES)) {
      groups.push(current);
      current = [];
      bytes = 0;
    }
    current.push(message);
    bytes += size;
  }
  if (current.length > 0) groups.push(current);
  return groups;
}

function chunksOf(pending: readonly { message: ChunkMessage }[]): number[] {
  return pending.map(({ message }) => message.chunk);
}
