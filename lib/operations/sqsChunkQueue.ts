import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { ChunkQueueError } from './ChunkQueueError';
import type { ChunkMessage } from './chunkMessage';

export { ChunkQueueError };

import type { ChunkQueue } from './ports';

// Errors that say the request itself is wrong: retrying the same message cannot help.
// https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessageBatch.html#API_SendMessageBatch_Errors
const NON_RETRYABLE_SQS_ERRORS = new Set([
  'InvalidMessageContents',
  'InvalidParameterValue',
  'BatchRequestTooLong',
  'BatchEntryIdsNotDistinct',
  'EmptyBatchRequest',
  'InvalidBatchEntryId',
  'TooManyEntriesInBatchRequest',
  'MessageTooLong',
]);

function sqsErrorCode(error: unknown): string | undefined {
  const name = (error as { name?: unknown; Code?: unknown } | null)?.name;
  if (typeof name !== 'string') return undefined;
  // The query protocol prefixes some codes: AWS.SimpleQueueService.BatchEntryIdsNotDistinct.
  return name.replace(/^AWS\.SimpleQueueService\./, '');
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
 * `ChunkQueueError` if any chunk is still not accepted, so no chunk is silently dropped. An entry
 * SQS refuses as the sender's fault (`SenderFault: true`, e.g. InvalidMessageContents for U+FFFF)
 * or a call refused as malformed is not retried: the error says `retryable: false`.
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
      const groups = batches(messages);
      for (const [groupIndex, group] of groups.entries()) {
        const later = () => groups.slice(groupIndex + 1).flatMap((rest) => rest.map((m) => m.chunk));
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
            const failed = answer.Failed ?? [];
            const refused = failed.filter((entry) => entry.SenderFault === true);
            if (refused.length > 0) {
              const ids = new Set(refused.map((entry) => entry.Id ?? ''));
              const failedIdsAll = new Set(failed.map((entry) => entry.Id ?? ''));
              throw new ChunkQueueError(
                `SQS refused ${refused.length} chunk message(s): ${refused[0]?.Code ?? 'sender fault'}`,
                [...chunksOf(pending.filter(({ id }) => failedIdsAll.has(id) || ids.has(id))), ...later()],
                { retryable: false, code: refused[0]?.Code },
              );
            }
            failedIds = new Set(failed.map((entry) => entry.Id ?? ''));
          } catch (error) {
            if (error instanceof ChunkQueueError) throw error;
            const code = sqsErrorCode(error);
            const retryable = code === undefined || !NON_RETRYABLE_SQS_ERRORS.has(code);
            if (!retryable || attempt >= maxAttempts) {
              throw new ChunkQueueError(
                `SQS SendMessageBatch failed: ${(error as Error).message}`,
                [...chunksOf(pending), ...later()],
                { cause: error, retryable, ...(code === undefined ? {} : { code }) },
              );
            }
            failedIds = new Set(pending.map(({ id }) => id));
          }
          pending = pending.filter(({ id }) => failedIds.has(id));
          if (pending.length === 0) break;
          if (attempt >= maxAttempts) {
            throw new ChunkQueueError(
              `SQS rejected ${pending.length} chunk message(s) after ${attempt} attempts`,
              [...chunksOf(pending), ...later()],
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
