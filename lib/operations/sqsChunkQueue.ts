import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { awsErrorCode, BatchEntryError, type ResendResult, resendFailedEntries } from '../aws';
import { ChunkQueueError } from './ChunkQueueError';
import type { ChunkMessage } from './chunkMessage';

export { ChunkQueueError };

import type { ChunkQueue } from './ports';

// Errors that say the content itself is wrong: the same message can never be queued, so the
// ChunkQueueError says `retryable: false` (other failures, AccessDenied included, may pass).
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

export interface SqsChunkQueueOptions {
  readonly client: SQSClient;
  readonly queueUrl: string;
  /** SendMessageBatch calls per entry, the first included (default 5). */
  readonly maxAttempts?: number;
  /** Epoch ms after which no resend wait ends (the invocation's deadline); none by default. */
  readonly deadline?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: () => number;
}

/**
 * A `ChunkQueue` on SQS: SendMessageBatch in groups of at most 10 entries and 256 KiB, re-sending
 * the entries SQS reports as failed (it answers 200 with per-entry failures; `resendFailedEntries`,
 * up to `maxAttempts` calls and within the deadline), and throwing a `ChunkQueueError` if any
 * chunk is still not accepted, so no chunk is silently dropped; later groups are then not sent.
 * An entry SQS refuses as the sender's fault (`SenderFault: true`, e.g. InvalidMessageContents for
 * U+FFFF) or a call refused as malformed is not retried: the error says `retryable: false`.
 *
 * @example
 * const queue = createSqsChunkQueue({ client: new SQSClient({}), queueUrl: process.env.OPERATIONS_QUEUE_URL! });
 * await queue.send(messages);
 */
export function createSqsChunkQueue(options: SqsChunkQueueOptions): ChunkQueue {
  return {
    async send(messages: readonly ChunkMessage[], sendOptions = {}) {
      const groups = batches(messages);
      for (const [groupIndex, group] of groups.entries()) {
        const result = await resendFailedEntries(group, {
          send: async (entries) => {
            const answer = await options.client.send(
              new SendMessageBatchCommand({
                QueueUrl: options.queueUrl,
                Entries: entries.map(({ id, value }) => ({
                  Id: id,
                  MessageBody: JSON.stringify(value),
                  DelaySeconds: sendOptions.delaySeconds,
                })),
              }),
            );
            return answer.Failed;
          },
          maxAttempts: options.maxAttempts,
          deadline: options.deadline?.(),
          sleep: options.sleep,
          random: options.random,
        });
        const left = new Set([...result.refused, ...result.unsent]);
        if (left.size === 0) continue;
        const notQueued = group.filter((message) => left.has(message));
        const chunks = [
          ...notQueued.map((message) => message.chunk),
          ...groups.slice(groupIndex + 1).flatMap((rest) => rest.map((message) => message.chunk)),
        ];
        throw queueError(result, chunks);
      }
    },
  };
}

/** The `ChunkQueueError` for a group that was not fully queued. */
function queueError(result: ResendResult<ChunkMessage>, chunks: number[]): ChunkQueueError {
  const { refusal, lastError } = result;
  if (refusal instanceof BatchEntryError) {
    return new ChunkQueueError(
      `SQS refused ${result.refused.length} chunk message(s): ${refusal.code ?? 'sender fault'}`,
      chunks,
      { retryable: false, ...(refusal.code === undefined ? {} : { code: refusal.code }) },
    );
  }
  const thrown = refusal ?? (lastError instanceof BatchEntryError ? undefined : lastError);
  if (thrown !== undefined) {
    const code = awsErrorCode(thrown);
    return new ChunkQueueError(`SQS SendMessageBatch failed: ${(thrown as Error).message}`, chunks, {
      cause: thrown,
      retryable: code === undefined || !NON_RETRYABLE_SQS_ERRORS.has(code),
      ...(code === undefined ? {} : { code }),
    });
  }
  return new ChunkQueueError(
    `SQS rejected ${result.unsent.length} chunk message(s) after ${result.attempts} attempts`,
    chunks,
    { cause: lastError },
  );
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
