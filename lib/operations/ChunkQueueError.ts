import { OperationsError } from './errors';

// Its own file, without the SQS client: callers that only catch it (the webhook's accept path)
// must not pull @aws-sdk/client-sqs into their bundle's start-up (test/e2e/bundles.test.ts).
/**
 * Chunk messages SQS did not accept; the caller's invocation must fail. `failedChunks` lists
 * every chunk not queued (the failed ones and those of later batches never sent), so a caller can
 * tell the client exactly what is and is not queued. `retryable` is false when SQS refused the
 * content itself (InvalidMessageContents and the like): the same message can never be queued.
 */
export class ChunkQueueError extends OperationsError {
  readonly failedChunks: readonly number[];
  readonly retryable: boolean;
  /** SQS's error code, when it gave one (`InvalidMessageContents`, ...). */
  readonly code: string | undefined;
  constructor(
    message: string,
    failedChunks: readonly number[],
    options?: { cause?: unknown; retryable?: boolean; code?: string },
  ) {
    super(message, options);
    this.name = 'ChunkQueueError';
    this.failedChunks = failedChunks;
    this.retryable = options?.retryable ?? true;
    this.code = options?.code;
  }
}
