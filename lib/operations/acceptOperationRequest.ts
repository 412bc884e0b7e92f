import { createHash, randomUUID } from 'node:crypto';
import { ChunkQueueError } from './ChunkQueueError';
import { CHUNK_MESSAGE_VERSION, type ChunkMessage } from './chunkMessage';
import { OperationsError } from './errors';
import type { ChunkQueue, OperationParams } from './ports';
import type { RunTracker } from './runTracker';

/**
 * Some or all chunks of an accepted operation request were not queued. Carries what the client
 * must be told: the operation id, how many chunks were and were not queued, and whether a retry
 * can help (`retryable` false when SQS refused the content).
 */
export class OperationQueueError extends OperationsError {
  readonly operationId: string;
  readonly chunks: number;
  readonly notQueued: readonly number[];
  readonly retryable: boolean;
  constructor(
    message: string,
    details: { operationId: string; chunks: number; notQueued: readonly number[]; retryable: boolean },
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'OperationQueueError';
    this.operationId = details.operationId;
    this.chunks = details.chunks;
    this.notQueued = details.notQueued;
    this.retryable = details.retryable;
  }
}

/** The job name API requests are grouped under in alerts, logs and metrics. */
export const API_JOB = 'api-request';

export interface AcceptedOperation {
  readonly operationId: string;
  readonly operation: string;
  readonly devices: number;
  readonly chunks: number;
}

/**
 * Queues a validated operation request from the customer's systems as chunk messages for the
 * operation workers and returns its operation id. With an `Idempotency-Key`, the id is derived
 * from it, so a retried request maps onto the same chunk ids and workers run each chunk once even
 * if the request is queued twice.
 *
 * @throws OperationQueueError when SQS did not take every chunk (the chunks it took will run).
 * @example
 * const accepted = await acceptOperationRequest({ operation: 'lock', deviceUids, message, tel }, { queue, stage: 'prod', chunkSize: 1000, idempotencyKey });
 * // 202 { operationId: accepted.operationId }
 */
export async function acceptOperationRequest(
  request: OperationParams & {
    readonly operation: ChunkMessage['operation'];
    readonly deviceUids: readonly string[];
    /** The operation's optional Knox Guard fields, validated by the caller (`operationOptionIssues`). */
    readonly options?: Readonly<Record<string, unknown>> | undefined;
  },
  deps: {
    readonly queue: ChunkQueue;
    readonly stage: string;
    readonly chunkSize: number;
    readonly idempotencyKey?: string;
    /** Told the chunk count, so the workers' last chunk sends the operation's digest. */
    readonly tracker?: RunTracker;
  },
): Promise<AcceptedOperation> {
  const operationId = deps.idempotencyKey
    ? `op-${createHash('sha256').update(deps.idempotencyKey).digest('hex').slice(0, 24)}`
    : `op-${randomUUID()}`;
  const params: ChunkMessage['params'] = {
    ...(request.options as ChunkMessage['params'] | undefined),
    message: request.message,
    tel: request.tel,
    email: request.email,
  };
  const messages: ChunkMessage[] = [];
  for (let start = 0; start < request.deviceUids.length; start += deps.chunkSize) {
    messages.push({
      v: CHUNK_MESSAGE_VERSION,
      stage: deps.stage,
      job: API_JOB,
      runId: operationId,
      operation: request.operation,
      params,
      chunk: messages.length,
      attempt: 0,
      deviceUids: request.deviceUids.slice(start, start + deps.chunkSize),
    });
  }
  const total = messages.length;
  try {
    await deps.queue.send(messages.map((message) => ({ ...message, total })));
  } catch (error) {
    if (!(error instanceof ChunkQueueError)) throw error;
    throw new OperationQueueError(
      error.message,
      { operationId, chunks: total, notQueued: error.failedChunks, retryable: error.retryable },
      { cause: error },
    );
  }
  await deps.tracker?.queued({ stage: deps.stage, job: API_JOB, runId: operationId }, total);
  return {
    operationId,
    operation: request.operation,
    devices: request.deviceUids.length,
    chunks: messages.length,
  };
}
